package io.pivotplane.capi;

import static io.pivotplane.capi.ObjectMaps.map;
import static io.pivotplane.capi.ObjectMaps.reference;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.events.model.ClusterSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Azure through CAPZ 1.18.1, after its upstream template: an {@code AzureCluster} with its own
 * {@code AzureClusterIdentity} (allowed only in the cluster's project), etcd on a data disk of its own, and the
 * {@code azure.json} that CAPZ writes for each machine template read from its Secret.
 */
public final class AzureRenderer extends KubeadmClusterRenderer {

    public static final String PROVIDER = "azure";
    public static final String API_VERSION = Capi.infrastructureApiVersion("v1beta1");
    public static final String CLUSTER_KIND = "AzureCluster";
    public static final String MACHINE_TEMPLATE_KIND = "AzureMachineTemplate";
    public static final String IDENTITY_KIND = "AzureClusterIdentity";
    static final int DEFAULT_OS_DISK_GIB = 128;
    static final int ETCD_DISK_GIB = 256;
    static final String ETCD_DISK_DEVICE = "/dev/disk/azure/scsi1/lun0";

    public AzureRenderer() {
        super(PROVIDER, API_VERSION, CLUSTER_KIND, MACHINE_TEMPLATE_KIND);
    }

    static String identityName(ClusterSpec spec) {
        return spec.name() + "-identity";
    }

    @Override
    protected Map<String, Object> infrastructureClusterSpec(String clusterId, ClusterSpec spec) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        return map(
                "identityRef", reference(API_VERSION, IDENTITY_KIND, identityName(spec)),
                "location", parameters.get("location"),
                "networkSpec", map(
                        "subnets", List.of(
                                map("name", "control-plane-subnet", "role", "control-plane"),
                                map("name", "node-subnet", "role", "node")),
                        "vnet", map("name", spec.name() + "-vnet")),
                "resourceGroup", parameters.getOrDefault("resourceGroup", spec.name()),
                "subscriptionID", parameters.get("subscriptionId"));
    }

    @Override
    protected List<GenericKubernetesResource> infrastructureDependencies(String clusterId, ClusterSpec spec) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        String type = Provider.AzureIdentity.typeOrDefault(parameters.get("identityType"));
        GenericKubernetesResource identity = CoreObjects.object(API_VERSION, IDENTITY_KIND, identityName(spec),
                clusterId, spec, map(
                        "allowedNamespaces", map("list", List.of(spec.project())),
                        "clientID", parameters.get("clientId"),
                        "clientSecret", Provider.AzureIdentity.usesSecret(type)
                                ? map("name", spec.infrastructure().credentialsRef(), "namespace", spec.project()) : null,
                        "tenantID", parameters.get("tenantId"),
                        "type", type));
        // clusterctl moves an identity so labelled with what it owns, as CAPZ's own templates label theirs
        identity.getMetadata().getLabels().put(Capi.MOVE_HIERARCHY_LABEL, "true");
        return List.of(identity);
    }

    @Override
    protected Map<String, Object> machineTemplateSpec(ClusterSpec spec, MachineRole role, Map<String, Object> machine) {
        Integer osDisk = integer(machine, "osDiskGiB");
        return map(
                "dataDisks", role == MachineRole.CONTROL_PLANE
                        ? List.of(map("diskSizeGB", ETCD_DISK_GIB, "lun", 0, "nameSuffix", "etcddisk")) : null,
                "osDisk", map("diskSizeGB", osDisk == null ? DEFAULT_OS_DISK_GIB : osDisk, "osType", "Linux"),
                // CAPZ's own key field (base64), beside cloud-init's users: without it CAPZ generates a key
                "sshPublicKey", spec.sshAuthorizedKeys().isEmpty() ? "" : Base64.getEncoder().encodeToString(
                        spec.sshAuthorizedKeys().get(0).getBytes(StandardCharsets.UTF_8)),
                "vmSize", string(machine, "vmSize"));
    }

    @Override
    protected Map<String, Object> nodeRegistration() {
        return kubelet("{{ ds.meta_data[\"local_hostname\"] }}", map("cloud-provider", "external"));
    }

    @Override
    protected Map<String, Object> clusterConfiguration(ClusterSpec spec) {
        return map(
                "apiServer", map("timeoutForControlPlane", "20m"),
                "controllerManager", map("extraArgs", map(
                        "allocate-node-cidrs", "false",
                        "cloud-provider", "external",
                        "cluster-name", spec.name())),
                "etcd", map("local", map(
                        "dataDir", "/var/lib/etcddisk/etcd",
                        "extraArgs", map("quota-backend-bytes", "8589934592"))));
    }

    @Override
    protected Map<String, Object> controlPlaneConfigExtras(ClusterSpec spec, String machineTemplateName) {
        return map(
                "diskSetup", map(
                        "filesystems", List.of(
                                map("device", ETCD_DISK_DEVICE, "extraOpts", List.of("-E", "lazy_itable_init=1,lazy_journal_init=1"),
                                        "filesystem", "ext4", "label", "etcd_disk"),
                                map("device", "ephemeral0.1", "filesystem", "ext4", "label", "ephemeral0",
                                        "replaceFS", "ntfs")),
                        "partitions", List.of(map("device", ETCD_DISK_DEVICE, "layout", true, "overwrite", false,
                                "tableType", "gpt"))),
                "files", List.of(azureJson(machineTemplateName, "control-plane-azure.json")),
                "mounts", List.of(List.of("LABEL=etcd_disk", "/var/lib/etcddisk")));
    }

    @Override
    protected Map<String, Object> workerConfigExtras(ClusterSpec spec, String machineTemplateName) {
        return map("files", List.of(azureJson(machineTemplateName, "worker-node-azure.json")));
    }

    /** The cloud provider's configuration, which CAPZ writes into a Secret named after the machine template. */
    private static Map<String, Object> azureJson(String machineTemplateName, String key) {
        return map(
                "contentFrom", map("secret", map("key", key, "name", machineTemplateName + "-azure-json")),
                "owner", "root:root",
                "path", "/etc/kubernetes/azure.json",
                "permissions", "0644");
    }
}
