package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pivotplane.capi.Capi;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A kind the simulated controllers read or write, with its resource name, so that a request does not depend on
 * the API's discovery (which knows a custom kind only once its CRD exists, and fabric8's mock not at all for
 * built-in kinds).
 */
record Kind(String group, String version, String kind, String plural, boolean namespaced) {

    static final String INFRASTRUCTURE = Capi.INFRASTRUCTURE_GROUP;

    static final Kind CLUSTER = capi(Capi.CLUSTER, "clusters");
    static final Kind MACHINE = capi(Capi.MACHINE, "machines");
    static final Kind MACHINE_SET = capi(Capi.MACHINE_SET, "machinesets");
    static final Kind MACHINE_DEPLOYMENT = capi(Capi.MACHINE_DEPLOYMENT, "machinedeployments");
    static final Kind MACHINE_HEALTH_CHECK = capi(Capi.MACHINE_HEALTH_CHECK, "machinehealthchecks");
    static final Kind KUBEADM_CONFIG = new Kind("bootstrap.cluster.x-k8s.io", "v1beta1", Capi.KUBEADM_CONFIG,
            "kubeadmconfigs", true);
    static final Kind KUBEADM_CONFIG_TEMPLATE = new Kind("bootstrap.cluster.x-k8s.io", "v1beta1",
            Capi.KUBEADM_CONFIG_TEMPLATE, "kubeadmconfigtemplates", true);
    static final Kind KUBEADM_CONTROL_PLANE = new Kind("controlplane.cluster.x-k8s.io", "v1beta1",
            Capi.KUBEADM_CONTROL_PLANE, "kubeadmcontrolplanes", true);

    static final Kind AWS_CLUSTER = infrastructure("v1beta2", "AWSCluster", "awsclusters", true);
    static final Kind AWS_MACHINE = infrastructure("v1beta2", "AWSMachine", "awsmachines", true);
    static final Kind AWS_MACHINE_TEMPLATE = infrastructure("v1beta2", "AWSMachineTemplate", "awsmachinetemplates", true);
    static final Kind AWS_STATIC_IDENTITY = infrastructure("v1beta2", "AWSClusterStaticIdentity",
            "awsclusterstaticidentities", false);
    static final Kind AWS_ROLE_IDENTITY = infrastructure("v1beta2", "AWSClusterRoleIdentity",
            "awsclusterroleidentities", false);
    static final Kind AWS_CONTROLLER_IDENTITY = infrastructure("v1beta2", "AWSClusterControllerIdentity",
            "awsclustercontrolleridentities", false);
    static final Kind AZURE_CLUSTER = infrastructure("v1beta1", "AzureCluster", "azureclusters", true);
    static final Kind AZURE_MACHINE = infrastructure("v1beta1", "AzureMachine", "azuremachines", true);
    static final Kind AZURE_MACHINE_TEMPLATE = infrastructure("v1beta1", "AzureMachineTemplate",
            "azuremachinetemplates", true);
    static final Kind AZURE_CLUSTER_IDENTITY = infrastructure("v1beta1", "AzureClusterIdentity",
            "azureclusteridentities", true);
    static final Kind GCP_CLUSTER = infrastructure("v1beta1", "GCPCluster", "gcpclusters", true);
    static final Kind GCP_MACHINE = infrastructure("v1beta1", "GCPMachine", "gcpmachines", true);
    static final Kind GCP_MACHINE_TEMPLATE = infrastructure("v1beta1", "GCPMachineTemplate", "gcpmachinetemplates", true);
    static final Kind VSPHERE_CLUSTER = infrastructure("v1beta1", "VSphereCluster", "vsphereclusters", true);
    static final Kind VSPHERE_MACHINE = infrastructure("v1beta1", "VSphereMachine", "vspheremachines", true);
    static final Kind VSPHERE_MACHINE_TEMPLATE = infrastructure("v1beta1", "VSphereMachineTemplate",
            "vspheremachinetemplates", true);
    static final Kind VSPHERE_VM = infrastructure("v1beta1", "VSphereVM", "vspherevms", true);
    static final Kind VSPHERE_CLUSTER_IDENTITY = infrastructure("v1beta1", "VSphereClusterIdentity",
            "vsphereclusteridentities", false);
    static final Kind MAAS_CLUSTER = infrastructure("v1beta1", "MaasCluster", "maasclusters", true);
    static final Kind MAAS_MACHINE = infrastructure("v1beta1", "MaasMachine", "maasmachines", true);
    static final Kind MAAS_MACHINE_TEMPLATE = infrastructure("v1beta1", "MaasMachineTemplate", "maasmachinetemplates",
            true);

    static final Kind SECRET = new Kind("", "v1", "Secret", "secrets", true);
    static final Kind CONFIG_MAP = new Kind("", "v1", "ConfigMap", "configmaps", true);
    static final Kind NODE = new Kind("", "v1", "Node", "nodes", false);
    static final Kind NAMESPACE = new Kind("", "v1", "Namespace", "namespaces", false);
    static final Kind SERVICE = new Kind("", "v1", "Service", "services", true);
    static final Kind SERVICE_ACCOUNT = new Kind("", "v1", "ServiceAccount", "serviceaccounts", true);
    static final Kind POD = new Kind("", "v1", "Pod", "pods", true);
    static final Kind EVENT = new Kind("", "v1", "Event", "events", true);
    static final Kind DEPLOYMENT = new Kind("apps", "v1", "Deployment", "deployments", true);
    static final Kind DAEMON_SET = new Kind("apps", "v1", "DaemonSet", "daemonsets", true);
    static final Kind REPLICA_SET = new Kind("apps", "v1", "ReplicaSet", "replicasets", true);
    static final Kind CUSTOM_RESOURCE_DEFINITION = new Kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition",
            "customresourcedefinitions", false);

    /** Built-in kinds: the API serves them without CRDs. */
    static final List<Kind> BUILT_IN = List.of(SECRET, CONFIG_MAP, NODE, NAMESPACE, SERVICE, SERVICE_ACCOUNT, POD,
            EVENT, DEPLOYMENT, DAEMON_SET, REPLICA_SET, CUSTOM_RESOURCE_DEFINITION);

    private static final List<Kind> KNOWN = List.of(CLUSTER, MACHINE, MACHINE_SET, MACHINE_DEPLOYMENT,
            MACHINE_HEALTH_CHECK, KUBEADM_CONFIG,
            KUBEADM_CONFIG_TEMPLATE, KUBEADM_CONTROL_PLANE, AWS_CLUSTER, AWS_MACHINE, AWS_MACHINE_TEMPLATE,
            AWS_STATIC_IDENTITY, AWS_ROLE_IDENTITY, AWS_CONTROLLER_IDENTITY, AZURE_CLUSTER, AZURE_MACHINE,
            AZURE_MACHINE_TEMPLATE, AZURE_CLUSTER_IDENTITY, GCP_CLUSTER, GCP_MACHINE, GCP_MACHINE_TEMPLATE,
            VSPHERE_CLUSTER, VSPHERE_MACHINE, VSPHERE_MACHINE_TEMPLATE, VSPHERE_VM, VSPHERE_CLUSTER_IDENTITY,
            MAAS_CLUSTER, MAAS_MACHINE, MAAS_MACHINE_TEMPLATE);

    private static final Map<String, Kind> BY_GROUP_AND_KIND = java.util.stream.Stream.concat(KNOWN.stream(),
                    BUILT_IN.stream())
            .collect(Collectors.toMap(k -> k.group() + "/" + k.kind(), Function.identity()));

    /** The custom kinds of CAPI and its providers that the controllers read. */
    static List<Kind> knownKinds() {
        return KNOWN;
    }

    private static Kind capi(String kind, String plural) {
        return new Kind("cluster.x-k8s.io", "v1beta1", kind, plural, true);
    }

    private static Kind infrastructure(String version, String kind, String plural, boolean namespaced) {
        return new Kind(INFRASTRUCTURE, version, kind, plural, namespaced);
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The name of this kind's CRD, e.g. {@code machines.cluster.x-k8s.io}. */
    String crdName() {
        return plural + "." + group;
    }

    ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withKind(kind)
                .withPlural(plural).withNamespaced(namespaced).build();
    }

    /** The same kind at the API version an object or reference names (a provider may serve several). */
    Kind at(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return new Kind(group, slash < 0 ? apiVersion : apiVersion.substring(slash + 1), kind, plural, namespaced);
    }

    /** A kind this simulator knows by its API group and kind, at the given API version. */
    static Optional<Kind> known(String apiVersion, String kind) {
        int slash = apiVersion == null ? -1 : apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        return Optional.ofNullable(BY_GROUP_AND_KIND.get(group + "/" + kind)).map(k -> k.at(apiVersion));
    }

    /** The kind of a template's clones: {@code AWSMachineTemplate} makes {@code AWSMachine}s. */
    Kind clonedKind() {
        if (!kind.endsWith("Template")) {
            throw new IllegalArgumentException(kind + " is not a template kind");
        }
        String cloned = kind.substring(0, kind.length() - "Template".length());
        return known(apiVersion(), cloned).orElseGet(() -> new Kind(group, version, cloned,
                cloned.toLowerCase(java.util.Locale.ROOT) + "s", namespaced));
    }
}
