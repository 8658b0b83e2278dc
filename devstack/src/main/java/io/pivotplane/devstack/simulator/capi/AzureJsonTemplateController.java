package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * CAPZ's AzureJSONTemplate controller ({@code controllers/azurejson_machinetemplate_controller.go}): each
 * AzureMachineTemplate of an Azure cluster gets the cloud provider configuration Secret
 * {@code <template>-azure-json} (keys {@code control-plane-azure.json}, {@code worker-node-azure.json}), owned by the
 * template, which the KubeadmConfigs' files read.
 */
final class AzureJsonTemplateController extends Controller {

    AzureJsonTemplateController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.AZURE;
    }

    @Override
    Set<String> watches() {
        return Set.of(Kind.AZURE_MACHINE_TEMPLATE.kind(), Kind.AZURE_CLUSTER.kind());
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        GenericKubernetesResource cluster = api.get(Kind.CLUSTER, key.namespace(), key.name());
        if (cluster == null) {
            return done();
        }
        for (GenericKubernetesResource template : api.ofCluster(Kind.AZURE_MACHINE_TEMPLATE, key.namespace(), key.name())) {
            if (Clusters.ownerCluster(api, template) == null || Clusters.paused(cluster, template)) {
                continue;
            }
            Object reference = ObjectMaps.at(cluster, "spec", "infrastructureRef").orElse(null);
            if (!(reference instanceof Map<?, ?> ref) || !Kind.AZURE_CLUSTER.kind().equals(ref.get("kind"))) {
                continue;
            }
            GenericKubernetesResource azureCluster = api.get(Kind.AZURE_CLUSTER, key.namespace(),
                    String.valueOf(ref.get("name")));
            if (azureCluster == null) {
                continue;
            }
            Login login = AzureCredentials.login(api, host.gate().namespace(provider()).orElseThrow(), azureCluster);
            if (!login.ok()) {
                throw login.failure();
            }
            String name = template.getMetadata().getName() + "-azure-json";
            if (api.secret(key.namespace(), name) != null) {
                continue;
            }
            Secret secret = new SecretBuilder().withNewMetadata().withName(name).withNamespace(key.namespace())
                    .addToLabels(cluster.getMetadata().getName(), "owned")
                    .withOwnerReferences(Api.ownerReference(template, false)).endMetadata()
                    .withData(Api.base64(Map.of(
                            "control-plane-azure.json", cloudConfig(azureCluster, true),
                            "worker-node-azure.json", cloudConfig(azureCluster, false))))
                    .build();
            api.createOrGet(secret);
        }
        return done();
    }

    /** The cloud provider's azure.json, as CAPZ's newCloudProviderConfig writes it. */
    private static String cloudConfig(GenericKubernetesResource azureCluster, boolean controlPlane) {
        return Serialization.asJson(ObjectMaps.map(
                "cloud", "AzurePublicCloud",
                "tenantId", "",
                "subscriptionId", ObjectMaps.string(azureCluster, "spec", "subscriptionID").orElse(""),
                "resourceGroup", ObjectMaps.string(azureCluster, "spec", "resourceGroup").orElse(""),
                "location", ObjectMaps.string(azureCluster, "spec", "location").orElse(""),
                "vmType", "vmss",
                "useManagedIdentityExtension", false,
                "useInstanceMetadata", true,
                "loadBalancerSku", "Standard",
                "excludeMasterFromStandardLB", controlPlane,
                "maximumLoadBalancerRuleCount", 250));
    }
}
