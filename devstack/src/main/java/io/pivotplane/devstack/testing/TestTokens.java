package io.pivotplane.devstack.testing;

import io.pivotplane.devstack.infra.LocalIssuer;
import java.time.Duration;
import java.util.List;

/** Bearer tokens of the issuer that {@link LocalIssuerResource} made the service under test trust. */
public final class TestTokens {

    private static final Duration LIFETIME = Duration.ofMinutes(30);

    private TestTokens() {
    }

    public static String platformAdmin() {
        return issuer().platformAdminToken("platform-admin@example.com", LIFETIME);
    }

    public static String of(String project, String role) {
        return issuer().projectToken(role + "@" + project + ".example.com", project, role, LIFETIME);
    }

    public static String withGroups(String subject, List<String> groups) {
        return issuer().token(subject, groups, LIFETIME);
    }

    public static String expired(String project, String role) {
        return issuer().projectToken(role + "@" + project + ".example.com", project, role, Duration.ofMinutes(-5));
    }

    /** A well-formed token of the right issuer name, signed by a key the service does not trust. */
    public static String forged(String project, String role) {
        return LocalIssuer.create().projectToken("mallory@example.com", project, role, LIFETIME);
    }

    private static LocalIssuer issuer() {
        String encoded = System.getProperty(LocalIssuerResource.PROPERTY);
        if (encoded == null) {
            throw new IllegalStateException("no LocalIssuerResource runs: add @WithTestResource(LocalIssuerResource.class)");
        }
        return LocalIssuer.decode(encoded);
    }
}
