package io.pivotplane.capi;

import static io.pivotplane.capi.ObjectMaps.map;

import io.pivotplane.events.model.ClusterSpec;
import java.util.Map;

/**
 * GCP through CAPG 1.8.1, after its upstream template, which runs the in-tree {@code gce} cloud provider (and so
 * fits Kubernetes up to v1.30, where the in-tree providers can still be switched back on).
 */
public final class GcpRenderer extends KubeadmClusterRenderer {

    public static final String PROVIDER = "gcp";
    public static final String API_VERSION = Capi.infrastructureApiVersion("v1beta1");
    public static final String CLUSTER_KIND = "GCPCluster";
    public static final String MACHINE_TEMPLATE_KIND = "GCPMachineTemplate";
    static final String FEATURE_GATES = "DisableCloudProviders=false,DisableKubeletCloudCredentialProviders=false";

    public GcpRenderer() {
        super(PROVIDER, API_VERSION, CLUSTER_KIND, MACHINE_TEMPLATE_KIND);
    }

    @Override
    protected Map<String, Object> infrastructureClusterSpec(String clusterId, ClusterSpec spec) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        return map(
                "credentialsRef", map("name", spec.infrastructure().credentialsRef(), "namespace", spec.project()),
                "network", map("name", parameters.get("network")),
                "project", parameters.get("project"),
                "region", parameters.get("region"));
    }

    @Override
    protected Map<String, Object> machineTemplateSpec(ClusterSpec spec, MachineRole role, Map<String, Object> machine) {
        return map(
                "image", string(machine, "image"),
                "instanceType", string(machine, "instanceType"),
                "rootDeviceSize", integer(machine, "rootDeviceGiB"));
    }

    @Override
    protected Map<String, Object> nodeRegistration() {
        return kubelet("{{ ds.meta_data.local_hostname.split(\".\")[0] }}",
                map("cloud-provider", "gce", "feature-gates", FEATURE_GATES));
    }

    @Override
    protected Map<String, Object> clusterConfiguration(ClusterSpec spec) {
        return map(
                "apiServer", map(
                        "extraArgs", map("cloud-provider", "gce", "feature-gates", FEATURE_GATES),
                        "timeoutForControlPlane", "20m"),
                "controllerManager", map("extraArgs", map(
                        "allocate-node-cidrs", "false",
                        "cloud-provider", "gce",
                        "feature-gates", FEATURE_GATES)));
    }
}
