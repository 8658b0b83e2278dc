package io.pivotplane.capi;

import static io.pivotplane.capi.ObjectMaps.map;
import static io.pivotplane.capi.ObjectMaps.reference;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.HealthCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The provider-neutral Cluster API objects of a kubeadm-based cluster, shaped like the upstream cluster
 * templates: a renderer adds its infrastructure kinds and passes their references in.
 */
final class CoreObjects {

    static final String DEFAULT_POD_CIDR = "192.168.0.0/16";
    /**
     * How long before its certificates expire a control-plane machine is rolled (KCP's
     * {@code rolloutBefore.certificatesExpiryDays}; its webhook wants at least 7): every cluster renews its
     * certificates itself, with no one from the plane having to remember.
     */
    static final int CERTIFICATES_RENEWED_DAYS_BEFORE_EXPIRY = 21;

    private CoreObjects() {
    }

    static GenericKubernetesResource object(String apiVersion, String kind, String name, String clusterId,
                                            ClusterSpec cluster, Map<String, Object> spec) {
        GenericKubernetesResource resource = new GenericKubernetesResourceBuilder()
                .withApiVersion(apiVersion)
                .withKind(kind)
                .withNewMetadata()
                .withName(name)
                .withNamespace(cluster.project())
                .addToLabels(Capi.CLUSTER_NAME_LABEL, cluster.name())
                .addToLabels(Capi.CLUSTER_ID_LABEL, clusterId)
                .endMetadata()
                .build();
        resource.setAdditionalProperty("spec", spec);
        return resource;
    }

    static GenericKubernetesResource cluster(String clusterId, ClusterSpec spec, Map<String, Object> clusterNetwork,
                                             Map<String, Object> controlPlaneRef, Map<String, Object> infrastructureRef) {
        return object(Capi.CORE_API_VERSION, Capi.CLUSTER, spec.name(), clusterId, spec, map(
                "clusterNetwork", clusterNetwork,
                "controlPlaneRef", controlPlaneRef,
                "infrastructureRef", infrastructureRef));
    }

    static Map<String, Object> podNetwork() {
        return map("pods", map("cidrBlocks", List.of(DEFAULT_POD_CIDR)));
    }

    static GenericKubernetesResource kubeadmControlPlane(String clusterId, ClusterSpec spec, String name, int replicas,
                                                         Map<String, Object> machineTemplateRef,
                                                         Map<String, Object> kubeadmConfigSpec) {
        return object(Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE, name, clusterId, spec, map(
                "kubeadmConfigSpec", kubeadmConfigSpec,
                "machineTemplate", map("infrastructureRef", machineTemplateRef),
                "replicas", replicas,
                // kubeadm's certificates last a year: KCP replaces a machine whose certificates expire this soon
                "rolloutBefore", map("certificatesExpiryDays", CERTIFICATES_RENEWED_DAYS_BEFORE_EXPIRY),
                "version", spec.kubernetesVersion()));
    }

    static GenericKubernetesResource kubeadmConfigTemplate(String clusterId, ClusterSpec spec, String name,
                                                           Map<String, Object> kubeadmConfigSpec) {
        return object(Capi.BOOTSTRAP_API_VERSION, Capi.KUBEADM_CONFIG_TEMPLATE, name, clusterId, spec, map(
                "template", map("spec", kubeadmConfigSpec)));
    }

    static GenericKubernetesResource machineDeployment(String clusterId, ClusterSpec spec, String name, int replicas,
                                                       Map<String, Object> infrastructureRef) {
        Map<String, Object> selectorLabels = map(
                Capi.CLUSTER_NAME_LABEL, spec.name(),
                Capi.DEPLOYMENT_NAME_LABEL, name);
        return object(Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT, name, clusterId, spec, map(
                "clusterName", spec.name(),
                "replicas", replicas,
                "selector", map("matchLabels", selectorLabels),
                "template", map(
                        "metadata", map("labels", new LinkedHashMap<>(selectorLabels)),
                        "spec", map(
                                "bootstrap", map("configRef", reference(Capi.BOOTSTRAP_API_VERSION,
                                        Capi.KUBEADM_CONFIG_TEMPLATE, name)),
                                "clusterName", spec.name(),
                                "infrastructureRef", infrastructureRef,
                                "version", spec.kubernetesVersion()))));
    }

    /**
     * A MachineHealthCheck of the machines {@code selector} picks: those whose Node is not Ready for the request's
     * time, or that got no Node at all, are replaced by their owner while no more than {@code maxUnhealthy} are.
     */
    static GenericKubernetesResource machineHealthCheck(String clusterId, ClusterSpec spec, String name,
                                                        Map<String, Object> selector, String maxUnhealthy) {
        HealthCheck check = spec.healthCheck();
        return object(Capi.CORE_API_VERSION, Capi.MACHINE_HEALTH_CHECK, name, clusterId, spec, map(
                "clusterName", spec.name(),
                "selector", map("matchLabels", selector),
                "maxUnhealthy", maxUnhealthy.matches("[0-9]+") ? Integer.valueOf(maxUnhealthy) : maxUnhealthy,
                "nodeStartupTimeout", check.nodeStartupTimeout(),
                "unhealthyConditions", List.of(
                        map("type", "Ready", "status", "Unknown", "timeout", check.unhealthyAfter()),
                        map("type", "Ready", "status", "False", "timeout", check.unhealthyAfter()))));
    }

    /** SSH keys reach the nodes through cloud-init, never through images or credentials. */
    static List<Map<String, Object>> users(ClusterSpec spec, String sshUser) {
        if (spec.sshAuthorizedKeys().isEmpty()) {
            return null;
        }
        return List.of(map(
                "name", sshUser,
                "sshAuthorizedKeys", spec.sshAuthorizedKeys(),
                "sudo", "ALL=(ALL) NOPASSWD:ALL"));
    }
}
