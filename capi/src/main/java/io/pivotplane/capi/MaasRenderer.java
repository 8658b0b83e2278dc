package io.pivotplane.capi;

import static io.pivotplane.capi.ObjectMaps.map;

import io.pivotplane.events.model.ClusterSpec;
import java.util.List;
import java.util.Map;

/** Bare metal through CAPMAAS 0.6.0 (MAAS), after its upstream template. */
public final class MaasRenderer extends KubeadmClusterRenderer {

    public static final String PROVIDER = "maas";
    public static final String API_VERSION = Capi.infrastructureApiVersion("v1beta1");
    public static final String CLUSTER_KIND = "MaasCluster";
    public static final String MACHINE_TEMPLATE_KIND = "MaasMachineTemplate";
    /** Kubelet refuses to run with swap on; MAAS images may have it. */
    static final List<String> PRE_KUBEADM_COMMANDS = List.of(
            "while [ ! -S /var/run/containerd/containerd.sock ]; do echo 'Waiting for containerd...'; sleep 1; done",
            "sed -ri '/\\sswap\\s/s/^#?/#/' /etc/fstab",
            "swapoff -a");

    public MaasRenderer() {
        super(PROVIDER, API_VERSION, CLUSTER_KIND, MACHINE_TEMPLATE_KIND);
    }

    @Override
    protected Map<String, Object> clusterNetwork() {
        Map<String, Object> network = CoreObjects.podNetwork();
        network.put("serviceDomain", "cluster.local");
        network.put("services", map("cidrBlocks", List.of("10.96.0.0/12")));
        return network;
    }

    @Override
    protected Map<String, Object> infrastructureClusterSpec(String clusterId, ClusterSpec spec) {
        return map("dnsDomain", spec.infrastructure().parameters().get("dnsDomain"));
    }

    @Override
    protected Map<String, Object> machineTemplateSpec(ClusterSpec spec, MachineRole role, Map<String, Object> machine) {
        return map(
                "image", string(machine, "image"),
                "minCPU", integer(machine, "minCPU"),
                "minMemory", integer(machine, "minMemory"),
                "resourcePool", string(machine, "resourcePool"));
    }

    @Override
    protected Map<String, Object> nodeRegistration() {
        return kubelet("{{ v1.local_hostname }}", map(
                "event-qps", "0",
                "feature-gates", "RotateKubeletServerCertificate=true",
                "read-only-port", "0"));
    }

    @Override
    protected Map<String, Object> clusterConfiguration(ClusterSpec spec) {
        return map(
                "apiServer", map(
                        "extraArgs", map(
                                "anonymous-auth", "true",
                                "authorization-mode", "RBAC,Node",
                                "default-not-ready-toleration-seconds", "60",
                                "default-unreachable-toleration-seconds", "60",
                                "disable-admission-plugins", "AlwaysAdmit",
                                "enable-admission-plugins", "AlwaysPullImages,NamespaceLifecycle,ServiceAccount,NodeRestriction"),
                        "timeoutForControlPlane", "10m0s"),
                "controllerManager", map("extraArgs", map(
                        "feature-gates", "RotateKubeletServerCertificate=true",
                        "terminated-pod-gc-threshold", "25",
                        "use-service-account-credentials", "true")));
    }

    @Override
    protected Map<String, Object> controlPlaneConfigExtras(ClusterSpec spec, String machineTemplateName) {
        return map("preKubeadmCommands", PRE_KUBEADM_COMMANDS, "useExperimentalRetryJoin", true);
    }

    @Override
    protected Map<String, Object> workerConfigExtras(ClusterSpec spec, String machineTemplateName) {
        return controlPlaneConfigExtras(spec, machineTemplateName);
    }
}
