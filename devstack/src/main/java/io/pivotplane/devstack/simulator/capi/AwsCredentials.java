package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.pivotplane.capi.ObjectMaps;
import java.util.Map;

/**
 * CAPA's session for an AWSCluster ({@code pkg/cloud/scope/session.go}): its {@code identityRef} (defaulted by the
 * webhook to the {@code AWSClusterControllerIdentity} {@code default}) is an {@code AWSClusterStaticIdentity} (its
 * {@code spec.secretRef} Secret in CAPA's namespace, {@code AccessKeyID}/{@code SecretAccessKey}; CAPA makes the
 * identity an owner of that Secret), an {@code AWSClusterRoleIdentity} (assumed with its source identity's
 * credentials) or the controller identity (the controller's own credentials, which clusterctl init wrote into
 * {@code capa-manager-bootstrap-credentials}). Each must allow the cluster's namespace.
 */
final class AwsCredentials {

    static final String CONTROLLER_IDENTITY = "AWSClusterControllerIdentity";
    static final String STATIC_IDENTITY = "AWSClusterStaticIdentity";
    static final String ROLE_IDENTITY = "AWSClusterRoleIdentity";
    static final String CONTROLLER_IDENTITY_NAME = "default";
    static final String MANAGER_CREDENTIALS = "capa-manager-bootstrap-credentials";
    private static final String PREFIX = "failed to create scope: failed to create aws session: ";
    private static final String NOT_PERMITTED = "Namespace is not permitted to use %s: %s";

    private AwsCredentials() {
    }

    /** The identity reference as CAPA's defaulting webhook leaves it. */
    static Map<?, ?> identityRef(GenericKubernetesResource awsCluster) {
        Object reference = ObjectMaps.at(awsCluster, "spec", "identityRef").orElse(null);
        return reference instanceof Map<?, ?> ref ? ref : Map.of("kind", CONTROLLER_IDENTITY, "name", CONTROLLER_IDENTITY_NAME);
    }

    static Login login(Api api, String capaNamespace, GenericKubernetesResource awsCluster) {
        try {
            String principal = principal(api, capaNamespace, identityRef(awsCluster), awsCluster.getMetadata().getNamespace());
            return Login.as(principal);
        } catch (IllegalStateException e) {
            return Login.failed(PREFIX + e.getMessage());
        }
    }

    private static String principal(Api api, String capaNamespace, Map<?, ?> reference, String namespace) {
        String kind = String.valueOf(reference.get("kind"));
        String name = String.valueOf(reference.get("name"));
        switch (kind) {
            case CONTROLLER_IDENTITY -> {
                if (!CONTROLLER_IDENTITY_NAME.equals(name)) {
                    throw failed("Expected AWSClusterControllerIdentity of name default, got " + name);
                }
                GenericKubernetesResource identity = identity(api, Kind.AWS_CONTROLLER_IDENTITY, name);
                permitted(api, identity, namespace, kind);
                return controllerCredentials(api, capaNamespace);
            }
            case STATIC_IDENTITY -> {
                GenericKubernetesResource identity = identity(api, Kind.AWS_STATIC_IDENTITY, name);
                String secretName = ObjectMaps.string(identity, "spec", "secretRef").orElse("");
                Secret secret = api.secret(capaNamespace, secretName);
                if (secret == null) {
                    throw failed("Failed to get providers for cluster: secrets \"" + secretName + "\" not found");
                }
                if (!Api.ownedBy(secret, identity)) {
                    Api.ensureOwnerReference(secret, Api.ownerReference(identity, false));
                    api.client().secrets().resource(secret).update();
                }
                permitted(api, identity, namespace, kind);
                String keyId = Api.data(secret, "AccessKeyID");
                String secretKey = Api.data(secret, "SecretAccessKey");
                if (keyId == null || keyId.isEmpty() || secretKey == null || secretKey.isEmpty()) {
                    throw failed("Failed to retrieve identity credentials: static credentials are empty");
                }
                return keyId;
            }
            case ROLE_IDENTITY -> {
                GenericKubernetesResource identity = identity(api, Kind.AWS_ROLE_IDENTITY, name);
                permitted(api, identity, namespace, kind);
                Object source = ObjectMaps.at(identity, "spec", "sourceIdentityRef").orElse(null);
                if (source instanceof Map<?, ?> sourceRef) {
                    principal(api, capaNamespace, sourceRef, namespace);
                } else {
                    controllerCredentials(api, capaNamespace);
                }
                String role = ObjectMaps.string(identity, "spec", "roleARN").orElse("");
                if (role.isEmpty()) {
                    throw failed("Failed to retrieve identity credentials: no role ARN to assume");
                }
                return role;
            }
            default -> throw failed("Failed to get providers for cluster: No such provider known: '" + kind + "'");
        }
    }

    private static GenericKubernetesResource identity(Api api, Kind kind, String name) {
        GenericKubernetesResource identity = api.get(kind, null, name);
        if (identity == null) {
            throw failed("Failed to get providers for cluster: " + kind.plural() + "." + kind.group() + " \"" + name
                    + "\" not found");
        }
        return identity;
    }

    private static void permitted(Api api, GenericKubernetesResource identity, String namespace, String kind) {
        if (!AllowedNamespaces.permits(api, ObjectMaps.at(identity, "spec", "allowedNamespaces").orElse(null), namespace)) {
            throw failed("Failed to get providers for cluster: " + NOT_PERMITTED.formatted(kind,
                    identity.getMetadata().getName()));
        }
    }

    /** The controller's own credentials: the shared credentials file clusterctl init put in its Secret. */
    private static String controllerCredentials(Api api, String capaNamespace) {
        String file = Api.data(api.secret(capaNamespace, MANAGER_CREDENTIALS), "credentials");
        String keyId = iniValue(file, "aws_access_key_id");
        String secretKey = iniValue(file, "aws_secret_access_key");
        if (keyId.isEmpty() || secretKey.isEmpty()) {
            throw failed("Failed to retrieve identity credentials: NoCredentialProviders: no valid providers in chain");
        }
        return keyId;
    }

    private static String iniValue(String file, String key) {
        if (file == null) {
            return "";
        }
        for (String line : file.split("\n")) {
            String[] parts = line.split("=", 2);
            if (parts.length == 2 && parts[0].trim().equals(key)) {
                return parts[1].trim();
            }
        }
        return "";
    }

    private static IllegalStateException failed(String message) {
        return new IllegalStateException(message);
    }
}
