package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.Secret;

/**
 * CAPMAAS's MAAS client ({@code pkg/maas/scope/client.go}): the controller's environment, {@code MAAS_ENDPOINT} and
 * {@code MAAS_API_KEY}, which clusterctl init wrote into {@code capmaas-manager-bootstrap-credentials}. Without them
 * CAPMAAS panics in its reconcile (controller-runtime recovers it into an error).
 */
final class MaasCredentials {

    static final String MANAGER_CREDENTIALS = "capmaas-manager-bootstrap-credentials";

    private MaasCredentials() {
    }

    static Login login(Api api, String capmaasNamespace) {
        Secret secret = api.secret(capmaasNamespace, MANAGER_CREDENTIALS);
        String endpoint = Api.data(secret, "MAAS_ENDPOINT");
        String key = Api.data(secret, "MAAS_API_KEY");
        if (endpoint == null || endpoint.isEmpty()) {
            return Login.failed("panic: missing env MAAS_ENDPOINT; e.g: MAAS_ENDPOINT=http://10.11.130.11:5240/MAAS"
                    + " [recovered]");
        }
        if (key == null || key.isEmpty()) {
            return Login.failed("panic: missing env MAAS_API_KEY; e.g: MAAS_API_KEY=x:y:z> [recovered]");
        }
        return Login.as(endpoint);
    }
}
