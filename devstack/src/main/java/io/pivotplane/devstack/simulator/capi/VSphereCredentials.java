package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.pivotplane.capi.ObjectMaps;
import java.util.Map;

/**
 * CAPV's credentials for a VSphereCluster ({@code pkg/identity/identity.go} and the vCenter session of
 * {@code vspherecluster_reconciler.go}): its {@code identityRef} of kind {@code Secret} (in the cluster's namespace,
 * {@code username}/{@code password}) or {@code VSphereClusterIdentity} (ready, allowed for the cluster's namespace,
 * its {@code spec.secretName} in CAPV's namespace); without one, the manager's own credentials that clusterctl init
 * wrote ({@code capv-manager-bootstrap-credentials}, {@code credentials.yaml}).
 */
final class VSphereCredentials {

    static final String MANAGER_CREDENTIALS = "capv-manager-bootstrap-credentials";

    private VSphereCredentials() {
    }

    static Login login(Api api, String capvNamespace, GenericKubernetesResource vsphereCluster) {
        String namespace = vsphereCluster.getMetadata().getNamespace();
        Object reference = ObjectMaps.at(vsphereCluster, "spec", "identityRef").orElse(null);
        String username;
        String password;
        if (!(reference instanceof Map<?, ?> ref)) {
            Secret manager = api.secret(capvNamespace, MANAGER_CREDENTIALS);
            Map<String, Object> file = CloudConfig.asMap(yaml(Api.data(manager, "credentials.yaml")));
            username = (String) file.get("username");
            password = (String) file.get("password");
        } else {
            String kind = String.valueOf(ref.get("kind"));
            String name = String.valueOf(ref.get("name"));
            Secret secret;
            if ("Secret".equals(kind)) {
                secret = api.secret(namespace, name);
                if (secret == null) {
                    return Login.failed("failed to get credentials from IdentityRef: secrets \"" + name + "\" not found");
                }
            } else if ("VSphereClusterIdentity".equals(kind)) {
                GenericKubernetesResource identity = api.get(Kind.VSPHERE_CLUSTER_IDENTITY, null, name);
                if (identity == null) {
                    return Login.failed("failed to get credentials from IdentityRef: vsphereclusteridentities."
                            + Kind.INFRASTRUCTURE + " \"" + name + "\" not found");
                }
                if (!ObjectMaps.isTrue(identity, "status", "ready")) {
                    return Login.failed("failed to get credentials from IdentityRef: identity isn't ready to be used yet");
                }
                Object allowed = ObjectMaps.at(identity, "spec", "allowedNamespaces").orElse(null);
                if (!(allowed instanceof Map<?, ?> allowedNamespaces)) {
                    return Login.failed("failed to get credentials from IdentityRef: allowedNamespaces set to nil, no"
                            + " namespaces are allowed to use this identity");
                }
                if (!AllowedNamespaces.selects(api, allowedNamespaces.get("selector"), namespace)) {
                    return Login.failed("failed to get credentials from IdentityRef: namespace " + namespace
                            + " is not allowed to use specifified identity");
                }
                String secretName = ObjectMaps.string(identity, "spec", "secretName").orElse("");
                secret = api.secret(capvNamespace, secretName);
                if (secret == null) {
                    return Login.failed("failed to get credentials from IdentityRef: secrets \"" + secretName
                            + "\" not found");
                }
            } else {
                return Login.failed("failed to get credentials from IdentityRef: unknown type " + kind
                        + " used for Identity");
            }
            username = Api.data(secret, "username");
            password = Api.data(secret, "password");
        }
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            return Login.failed("unable to create vCenter session: ServerFaultCode: Cannot complete login due to an"
                    + " incorrect user name or password.");
        }
        return Login.as(username);
    }

    private static Object yaml(String text) {
        if (text == null) {
            return Map.of();
        }
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readValue(text, Map.class);
        } catch (java.io.IOException e) {
            return Map.of();
        }
    }
}
