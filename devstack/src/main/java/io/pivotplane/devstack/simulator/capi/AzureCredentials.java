package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * CAPZ's credentials for an AzureCluster ({@code azure/scope/identity.go}, {@code azure/scope/cluster.go}): the
 * namespaced {@code AzureClusterIdentity} its {@code identityRef} names (required); for the service principal types,
 * its {@code clientSecret} ({@code name}, {@code namespace}) Secret's key {@code clientSecret}. The subscription is
 * the AzureCluster's, or the one clusterctl init gave the controller ({@code capz-manager-bootstrap-credentials}).
 */
final class AzureCredentials {

    static final String MANAGER_CREDENTIALS = "capz-manager-bootstrap-credentials";
    private static final Set<String> SECRET_TYPES = Set.of("ServicePrincipal", "ManualServicePrincipal");

    private AzureCredentials() {
    }

    /** The identity an AzureCluster names, or null. */
    static GenericKubernetesResource identity(Api api, GenericKubernetesResource azureCluster) {
        Object reference = ObjectMaps.at(azureCluster, "spec", "identityRef").orElse(null);
        if (!(reference instanceof Map<?, ?> ref)) {
            return null;
        }
        String namespace = Objects.toString(ref.get("namespace"), azureCluster.getMetadata().getNamespace());
        return api.get(Kind.AZURE_CLUSTER_IDENTITY, namespace, String.valueOf(ref.get("name")));
    }

    static Login login(Api api, String capzNamespace, GenericKubernetesResource azureCluster) {
        Object reference = ObjectMaps.at(azureCluster, "spec", "identityRef").orElse(null);
        if (!(reference instanceof Map<?, ?> ref)) {
            return Login.failed("failed to create scope: failed to init credentials provider: failed to generate new"
                    + " AzureClusterCredentialsProvider from empty identityName");
        }
        String namespace = Objects.toString(ref.get("namespace"), azureCluster.getMetadata().getNamespace());
        GenericKubernetesResource identity = identity(api, azureCluster);
        if (identity == null) {
            return Login.failed("failed to create scope: failed to init credentials provider: failed to retrieve"
                    + " AzureClusterIdentity external object \"" + namespace + "\"/\"" + ref.get("name")
                    + "\": azureclusteridentities.infrastructure.cluster.x-k8s.io \"" + ref.get("name") + "\" not found");
        }
        String prefix = "failed to create scope: failed to configure azure settings and credentials for Identity: ";
        String subscription = ObjectMaps.string(azureCluster, "spec", "subscriptionID").filter(s -> !s.isEmpty())
                .orElseGet(() -> Objects.toString(Api.data(api.secret(capzNamespace, MANAGER_CREDENTIALS),
                        "subscription-id"), ""));
        if (subscription.isEmpty()) {
            return Login.failed(prefix + "error creating azure services. subscriptionID is not set in cluster or"
                    + " AZURE_SUBSCRIPTION_ID env var");
        }
        String type = ObjectMaps.string(identity, "spec", "type").orElse("");
        String clientId = ObjectMaps.string(identity, "spec", "clientID").orElse("");
        String tenantId = ObjectMaps.string(identity, "spec", "tenantID").orElse("");
        boolean usesSecret = SECRET_TYPES.contains(type)
                || ("ServicePrincipalCertificate".equals(type) && ObjectMaps.string(identity, "spec", "certPath").isEmpty());
        if (usesSecret) {
            String name = ObjectMaps.string(identity, "spec", "clientSecret", "name").orElse("");
            String secretNamespace = ObjectMaps.string(identity, "spec", "clientSecret", "namespace").orElse("");
            String secret = Api.data(api.secret(secretNamespace, name), "clientSecret");
            if (api.secret(secretNamespace, name) == null) {
                return Login.failed(prefix + "failed to get client secret: Unable to fetch ClientSecret: secrets \""
                        + name + "\" not found");
            }
            if (secret == null || secret.isEmpty()) {
                return Login.failed(prefix + "failed to create credential: secret can't be empty string");
            }
        } else if (!Set.of("UserAssignedMSI", "WorkloadIdentity", "ServicePrincipalCertificate").contains(type)) {
            return Login.failed(prefix + "identity type " + type + " not supported");
        }
        if (clientId.isEmpty() || tenantId.isEmpty()) {
            return Login.failed(prefix + "failed to create credential: client ID and tenant ID are required");
        }
        return Login.as(clientId + "@" + tenantId);
    }
}
