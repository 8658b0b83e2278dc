package io.pivotplane.request.rest;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start without an identity provider to check tokens against: a request API that started anyway would
 * answer every call 401 and look broken for another reason.
 */
@ApplicationScoped
class IdentityProviderSettings {

    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    Optional<String> keysLocation;
    @ConfigProperty(name = "mp.jwt.verify.publickey")
    Optional<String> key;
    @ConfigProperty(name = "mp.jwt.verify.issuer")
    Optional<String> issuer;

    void check(@Observes StartupEvent start) {
        if (keysLocation.isEmpty() && key.isEmpty()) {
            throw new IllegalStateException("no identity provider to check bearer tokens against: set "
                    + "MP_JWT_VERIFY_PUBLICKEY_LOCATION to its JWKS URL (or MP_JWT_VERIFY_PUBLICKEY to a PEM key)");
        }
        if (issuer.isEmpty()) {
            throw new IllegalStateException("no token issuer to accept: set MP_JWT_VERIFY_ISSUER to the identity "
                    + "provider's issuer URL");
        }
    }
}
