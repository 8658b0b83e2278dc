package io.pivotplane.capi;

import static io.pivotplane.capi.ObjectMaps.map;
import static io.pivotplane.capi.ObjectMaps.reference;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.WorkerPool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape every upstream cluster template of the five providers shares: a {@code Cluster} referring to the
 * provider's cluster kind and to a {@code KubeadmControlPlane} with its machine template, and per worker pool a
 * machine template, a {@code KubeadmConfigTemplate} and a {@code MachineDeployment}. A provider fills in its
 * kinds, its specs and its kubeadm settings.
 */
abstract class KubeadmClusterRenderer implements ClusterRenderer {

    /** The user that receives the request's SSH keys through cloud-init on every node. */
    static final String DEFAULT_SSH_USER = "capi";

    enum MachineRole { CONTROL_PLANE, WORKER }

    private final String provider;
    private final String infrastructureApiVersion;
    private final String clusterKind;
    private final String machineTemplateKind;

    /**
     * @param provider the provider id of requests, e.g. {@code aws}
     * @param infrastructureApiVersion the API version of the provider's kinds, as the provider stores them
     */
    KubeadmClusterRenderer(String provider, String infrastructureApiVersion, String clusterKind,
                           String machineTemplateKind) {
        this.provider = provider;
        this.infrastructureApiVersion = infrastructureApiVersion;
        this.clusterKind = clusterKind;
        this.machineTemplateKind = machineTemplateKind;
    }

    @Override
    public final String provider() {
        return provider;
    }

    protected final String infrastructureApiVersion() {
        return infrastructureApiVersion;
    }

    protected final String clusterKind() {
        return clusterKind;
    }

    protected final String machineTemplateKind() {
        return machineTemplateKind;
    }

    protected abstract Map<String, Object> infrastructureClusterSpec(String clusterId, ClusterSpec spec);

    protected abstract Map<String, Object> machineTemplateSpec(ClusterSpec spec, MachineRole role,
                                                               Map<String, Object> machine);

    /** {@code nodeRegistration} of kubeadm's init and join configurations, as the provider's template has it. */
    protected abstract Map<String, Object> nodeRegistration();

    protected abstract Map<String, Object> clusterConfiguration(ClusterSpec spec);

    /** The name of the KubeadmControlPlane and of its machine template, after the upstream template. */
    protected String controlPlaneName(ClusterSpec spec) {
        return spec.name() + "-control-plane";
    }

    protected String sshUser() {
        return DEFAULT_SSH_USER;
    }

    protected Map<String, Object> clusterNetwork() {
        return CoreObjects.podNetwork();
    }

    /** Objects the provider's cluster refers to and that belong to this cluster alone (e.g. CAPZ's identity). */
    protected List<GenericKubernetesResource> infrastructureDependencies(String clusterId, ClusterSpec spec) {
        return List.of();
    }

    /** Further fields of the control plane's {@code kubeadmConfigSpec} (files, disks, commands). */
    protected Map<String, Object> controlPlaneConfigExtras(ClusterSpec spec, String machineTemplateName) {
        return Map.of();
    }

    /** Further fields of the workers' {@code KubeadmConfigTemplate} spec. */
    protected Map<String, Object> workerConfigExtras(ClusterSpec spec, String machineTemplateName) {
        return Map.of();
    }

    @Override
    public final List<GenericKubernetesResource> render(String clusterId, ClusterSpec spec, RenderPhase phase) {
        String controlPlaneName = controlPlaneName(spec);
        List<GenericKubernetesResource> objects = new ArrayList<>();
        objects.add(CoreObjects.cluster(clusterId, spec, clusterNetwork(),
                reference(Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE, controlPlaneName),
                reference(infrastructureApiVersion(), clusterKind(), spec.name())));
        objects.add(CoreObjects.object(infrastructureApiVersion(), clusterKind(), spec.name(), clusterId, spec,
                infrastructureClusterSpec(clusterId, spec)));
        objects.addAll(infrastructureDependencies(clusterId, spec));
        objects.add(machineTemplate(clusterId, spec, controlPlaneName, MachineRole.CONTROL_PLANE,
                spec.controlPlane().machine()));
        int controlPlaneReplicas = phase == RenderPhase.MANAGEMENT ? 1 : spec.controlPlane().replicas();
        objects.add(CoreObjects.kubeadmControlPlane(clusterId, spec, controlPlaneName, controlPlaneReplicas,
                reference(infrastructureApiVersion(), machineTemplateKind(), controlPlaneName),
                controlPlaneConfig(spec, controlPlaneName)));
        if (phase == RenderPhase.FULL) {
            // the control plane's own remediation keeps etcd's quorum: KCP replaces no member that would lose it
            objects.add(CoreObjects.machineHealthCheck(clusterId, spec, controlPlaneName + "-unhealthy",
                    map(Capi.CLUSTER_NAME_LABEL, spec.name(), Capi.CONTROL_PLANE_LABEL, ""), "100%"));
            for (WorkerPool pool : spec.workerPools()) {
                String name = spec.name() + "-" + pool.name();
                objects.add(machineTemplate(clusterId, spec, name, MachineRole.WORKER, pool.machine()));
                objects.add(CoreObjects.kubeadmConfigTemplate(clusterId, spec, name, workerConfig(spec, name)));
                objects.add(CoreObjects.machineDeployment(clusterId, spec, name, pool.replicas(),
                        reference(infrastructureApiVersion(), machineTemplateKind(), name)));
                objects.add(CoreObjects.machineHealthCheck(clusterId, spec, name + "-unhealthy",
                        map(Capi.CLUSTER_NAME_LABEL, spec.name(), Capi.DEPLOYMENT_NAME_LABEL, name),
                        spec.healthCheck().maxUnhealthy()));
            }
        }
        return objects;
    }

    private GenericKubernetesResource machineTemplate(String clusterId, ClusterSpec spec, String name, MachineRole role,
                                                      Map<String, Object> machine) {
        return CoreObjects.object(infrastructureApiVersion(), machineTemplateKind(), name, clusterId, spec,
                map("template", map("spec", machineTemplateSpec(spec, role, machine))));
    }

    private Map<String, Object> controlPlaneConfig(ClusterSpec spec, String machineTemplateName) {
        Map<String, Object> config = map(
                "clusterConfiguration", clusterConfiguration(spec),
                "initConfiguration", map("nodeRegistration", nodeRegistration()),
                "joinConfiguration", map("nodeRegistration", nodeRegistration()),
                "users", CoreObjects.users(spec, sshUser()));
        config.putAll(controlPlaneConfigExtras(spec, machineTemplateName));
        return config;
    }

    private Map<String, Object> workerConfig(ClusterSpec spec, String machineTemplateName) {
        Map<String, Object> config = map(
                "joinConfiguration", map("nodeRegistration", nodeRegistration()),
                "users", CoreObjects.users(spec, sshUser()));
        config.putAll(workerConfigExtras(spec, machineTemplateName));
        return config;
    }

    /** {@code cloud-provider: external} for the API server and controller manager, as most templates set it. */
    static Map<String, Object> externalCloudProvider() {
        return map(
                "apiServer", map("extraArgs", map("cloud-provider", "external")),
                "controllerManager", map("extraArgs", map("cloud-provider", "external")));
    }

    static Map<String, Object> kubelet(String nodeName, Map<String, Object> kubeletExtraArgs) {
        return map("kubeletExtraArgs", new LinkedHashMap<>(kubeletExtraArgs), "name", nodeName);
    }

    static Integer integer(Map<String, Object> machine, String key) {
        Object value = machine.get(key);
        return value instanceof Number n ? n.intValue() : value == null ? null : Integer.valueOf(value.toString());
    }

    static String string(Map<String, Object> machine, String key) {
        Object value = machine.get(key);
        return value == null ? null : value.toString();
    }
}
