package io.pivotplane.capi;

import static io.pivotplane.capi.ObjectMaps.map;

import io.pivotplane.capi.request.Provider;
import io.pivotplane.events.model.ClusterSpec;
import java.util.Map;

/** AWS through CAPA 2.7.1 (its kinds at {@code v1beta2}, the version it stores), after its upstream template. */
public final class AwsRenderer extends KubeadmClusterRenderer {

    public static final String PROVIDER = "aws";
    public static final String API_VERSION = Capi.infrastructureApiVersion("v1beta2");
    public static final String CLUSTER_KIND = "AWSCluster";
    public static final String MACHINE_TEMPLATE_KIND = "AWSMachineTemplate";
    /** The instance profiles {@code clusterawsadm bootstrap iam} creates. */
    static final String CONTROL_PLANE_INSTANCE_PROFILE = "control-plane.cluster-api-provider-aws.sigs.k8s.io";
    static final String NODE_INSTANCE_PROFILE = "nodes.cluster-api-provider-aws.sigs.k8s.io";

    public AwsRenderer() {
        super(PROVIDER, API_VERSION, CLUSTER_KIND, MACHINE_TEMPLATE_KIND);
    }

    @Override
    protected Map<String, Object> infrastructureClusterSpec(String clusterId, ClusterSpec spec) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        String identityKind = parameters.getOrDefault("identityKind", Provider.AwsIdentity.STATIC);
        return map(
                "identityRef", map("kind", identityKind, "name", spec.infrastructure().credentialsRef()),
                "region", parameters.get("region"),
                "sshKeyName", parameters.get("sshKeyName"));
    }

    @Override
    protected Map<String, Object> machineTemplateSpec(ClusterSpec spec, MachineRole role, Map<String, Object> machine) {
        Integer rootVolume = integer(machine, "rootVolumeGiB");
        String ami = string(machine, "amiId");
        return map(
                "ami", ami == null ? null : map("id", ami),
                "iamInstanceProfile", role == MachineRole.CONTROL_PLANE ? CONTROL_PLANE_INSTANCE_PROFILE : NODE_INSTANCE_PROFILE,
                "instanceType", string(machine, "instanceType"),
                "rootVolume", rootVolume == null ? null : map("size", rootVolume),
                "sshKeyName", spec.infrastructure().parameters().get("sshKeyName"));
    }

    @Override
    protected Map<String, Object> nodeRegistration() {
        return kubelet("{{ ds.meta_data.local_hostname }}", map("cloud-provider", "external"));
    }

    @Override
    protected Map<String, Object> clusterConfiguration(ClusterSpec spec) {
        return externalCloudProvider();
    }
}
