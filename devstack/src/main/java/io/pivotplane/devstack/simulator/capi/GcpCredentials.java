package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pivotplane.capi.ObjectMaps;
import java.util.Map;

/**
 * CAPG's credentials for a GCPCluster ({@code cloud/scope/clients.go}, {@code credentials.go}): the Secret
 * {@code spec.credentialsRef} names ({@code name}, {@code namespace}; key {@code credentials}, a service account key
 * as JSON), else the controller's application default credentials, the file clusterctl init wrote into
 * {@code capg-manager-bootstrap-credentials} ({@code credentials.json}).
 */
final class GcpCredentials {

    static final String MANAGER_CREDENTIALS = "capg-manager-bootstrap-credentials";
    private static final String PREFIX = "failed to create scope: failed to create gcp compute client: ";

    private GcpCredentials() {
    }

    static Login login(Api api, String capgNamespace, GenericKubernetesResource gcpCluster) {
        Object reference = ObjectMaps.at(gcpCluster, "spec", "credentialsRef").orElse(null);
        String json;
        if (reference instanceof Map<?, ?> ref) {
            String namespace = String.valueOf(ref.get("namespace"));
            String name = String.valueOf(ref.get("name"));
            Secret secret = api.secret(namespace, name);
            String describe = "&{" + namespace + " " + name + "}";
            if (secret == null) {
                return Login.failed(PREFIX + "getting gcp credentials from reference " + describe
                        + ": getting credentials secret " + namespace + "\\" + name + ": secrets \"" + name
                        + "\" not found");
            }
            json = Api.data(secret, "credentials");
            if (json == null) {
                return Login.failed(PREFIX + "getting gcp credentials from reference " + describe
                        + ": no credentials key in secret");
            }
        } else {
            json = Api.data(api.secret(capgNamespace, MANAGER_CREDENTIALS), "credentials.json");
            if (json == null || json.isBlank()) {
                return Login.failed(PREFIX + "google: could not find default credentials. See"
                        + " https://cloud.google.com/docs/authentication/external/set-up-adc for more information");
            }
        }
        Map<?, ?> key;
        try {
            key = Serialization.unmarshal(json, Map.class);
        } catch (RuntimeException e) {
            return Login.failed(PREFIX + "invalid character in credentials JSON");
        }
        String email = key == null ? null : (String) key.get("client_email");
        String type = key == null ? null : (String) key.get("type");
        if (type == null || type.isEmpty() || email == null || email.isEmpty()) {
            return Login.failed(PREFIX + "credentials: unsupported unidentified file type");
        }
        return Login.as(email);
    }
}
