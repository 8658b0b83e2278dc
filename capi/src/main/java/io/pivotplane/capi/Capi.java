package io.pivotplane.capi;

/**
 * The Cluster API v1beta1 (v1.9) vocabulary pivotplane reads and writes: API versions, labels, annotations and
 * condition types, named once so that renderers, the simulator, the services and the agent agree.
 */
public final class Capi {

    public static final String CORE_API_VERSION = "cluster.x-k8s.io/v1beta1";
    public static final String CONTROL_PLANE_API_VERSION = "controlplane.cluster.x-k8s.io/v1beta1";
    public static final String BOOTSTRAP_API_VERSION = "bootstrap.cluster.x-k8s.io/v1beta1";
    public static final String INFRASTRUCTURE_GROUP = "infrastructure.cluster.x-k8s.io";

    public static final String CLUSTER = "Cluster";
    public static final String MACHINE = "Machine";
    public static final String MACHINE_SET = "MachineSet";
    public static final String MACHINE_DEPLOYMENT = "MachineDeployment";
    public static final String MACHINE_HEALTH_CHECK = "MachineHealthCheck";
    public static final String KUBEADM_CONTROL_PLANE = "KubeadmControlPlane";
    public static final String KUBEADM_CONFIG = "KubeadmConfig";
    public static final String KUBEADM_CONFIG_TEMPLATE = "KubeadmConfigTemplate";

    /** Every object of a cluster carries it; clusterctl move and the agent find a cluster's objects by it. */
    public static final String CLUSTER_NAME_LABEL = "cluster.x-k8s.io/cluster-name";
    public static final String CONTROL_PLANE_LABEL = "cluster.x-k8s.io/control-plane";
    public static final String CONTROL_PLANE_NAME_LABEL = "cluster.x-k8s.io/control-plane-name";
    public static final String DEPLOYMENT_NAME_LABEL = "cluster.x-k8s.io/deployment-name";
    public static final String SET_NAME_LABEL = "cluster.x-k8s.io/set-name";
    /** Forces clusterctl move to take an object that has no owner chain to the Cluster. */
    public static final String MOVE_LABEL = "clusterctl.cluster.x-k8s.io/move";
    /** As {@link #MOVE_LABEL}, and everything the object owns moves with it (on a CRD: every object of the kind). */
    public static final String MOVE_HIERARCHY_LABEL = "clusterctl.cluster.x-k8s.io/move-hierarchy";
    /** While an object carries it, clusterctl move waits before moving anything (a provider's work in flight). */
    public static final String BLOCK_MOVE_ANNOTATION = "clusterctl.cluster.x-k8s.io/block-move";
    public static final String DELETE_FOR_MOVE_ANNOTATION = "clusterctl.cluster.x-k8s.io/delete-for-move";

    /** pivotplane's own id of the cluster, on every object it creates. */
    public static final String CLUSTER_ID_LABEL = "pivotplane.io/cluster-id";
    /** Set on each moved object in the target: which object of the source it was, so a resumed move finds it. */
    public static final String MOVED_FROM_UID_ANNOTATION = "pivotplane.io/moved-from-uid";

    public static final String CONDITION_READY = "Ready";
    public static final String CONDITION_CONTROL_PLANE_INITIALIZED = "ControlPlaneInitialized";
    public static final String CONDITION_CONTROL_PLANE_READY = "ControlPlaneReady";
    public static final String CONDITION_INFRASTRUCTURE_READY = "InfrastructureReady";
    public static final String CONDITION_AVAILABLE = "Available";
    /** A Machine's: set by a MachineHealthCheck, False when it found the Machine unhealthy. */
    public static final String CONDITION_HEALTH_CHECK_SUCCEEDED = "HealthCheckSucceeded";
    /** A Machine's: False from a MachineHealthCheck asks the Machine's owner (a MachineSet, the KCP) to replace it. */
    public static final String CONDITION_OWNER_REMEDIATED = "OwnerRemediated";

    public static final String PHASE_PENDING = "Pending";
    public static final String PHASE_PROVISIONING = "Provisioning";
    public static final String PHASE_PROVISIONED = "Provisioned";
    public static final String PHASE_RUNNING = "Running";

    /** Key of the kubeconfig in the {@code <cluster>-kubeconfig} Secret, as the control-plane provider writes it. */
    public static final String KUBECONFIG_KEY = "value";

    private Capi() {
    }

    public static String kubeconfigSecretName(String clusterName) {
        return clusterName + "-kubeconfig";
    }

    /** The Secrets the kubeadm control-plane provider creates next to a cluster, each moved with it. */
    public static java.util.List<String> controlPlaneSecretNames(String clusterName) {
        return java.util.List.of(clusterName + "-ca", clusterName + "-etcd", clusterName + "-sa",
                clusterName + "-proxy", kubeconfigSecretName(clusterName));
    }

    public static String infrastructureApiVersion(String version) {
        return INFRASTRUCTURE_GROUP + "/" + version;
    }
}
