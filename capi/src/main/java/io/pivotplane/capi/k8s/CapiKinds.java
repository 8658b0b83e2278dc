package io.pivotplane.capi.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pivotplane.capi.Capi;

/**
 * The Cluster API kinds pivotplane's own code reads, by their resource definitions, so that reading them needs no
 * API discovery: a workload cluster serves them only once its providers are installed, and asking before must be a
 * plain 404, not a failed lookup.
 */
public final class CapiKinds {

    public static final ResourceDefinitionContext CLUSTERS = context("cluster.x-k8s.io", Capi.CLUSTER, "clusters");
    public static final ResourceDefinitionContext MACHINE_DEPLOYMENTS = context("cluster.x-k8s.io",
            Capi.MACHINE_DEPLOYMENT, "machinedeployments");
    public static final ResourceDefinitionContext KUBEADM_CONTROL_PLANES = context("controlplane.cluster.x-k8s.io",
            Capi.KUBEADM_CONTROL_PLANE, "kubeadmcontrolplanes");

    private CapiKinds() {
    }

    /**
     * Whether the API server serves the kind: its CRD exists and is Established. A workload cluster's providers
     * are installed one after the other, so one kind may be served while the next is not yet.
     */
    public static boolean served(KubernetesClient client, ResourceDefinitionContext kind) {
        var crd = client.apiextensions().v1().customResourceDefinitions()
                .withName(kind.getPlural() + "." + kind.getGroup()).get();
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static ResourceDefinitionContext context(String group, String kind, String plural) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion("v1beta1").withKind(kind)
                .withPlural(plural).withNamespaced(true).build();
    }
}
