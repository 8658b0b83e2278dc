package io.pivotplane.devstack.testing;

import io.pivotplane.devstack.infra.LocalIssuer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * An identity provider for a {@code @QuarkusTest} of the request API: {@code @WithTestResource(LocalIssuerResource.class)}
 * makes the service trust a fresh {@link LocalIssuer}, whose tokens {@link TestTokens} then signs.
 */
public class LocalIssuerResource implements QuarkusTestResourceLifecycleManager {

    /** Where the issuer's keys wait for {@link TestTokens}: the test and this resource do not share a class loader. */
    static final String PROPERTY = "pivotplane.test.local-issuer";

    @Override
    public Map<String, String> start() {
        LocalIssuer issuer = LocalIssuer.create();
        System.setProperty(PROPERTY, issuer.encoded());
        return issuer.verifierSettings();
    }

    @Override
    public void stop() {
        System.clearProperty(PROPERTY);
    }
}
