package io.pivotplane.devstack.simulator.capi;

import java.util.List;
import java.util.Optional;

/**
 * A component clusterctl installs, as the simulated controllers find it running in a cluster: its Deployments carry
 * clusterctl's label ({@code cluster.x-k8s.io/provider=<manifest label>}, cert-manager's
 * {@code clusterctl.cluster.x-k8s.io/core=cert-manager}), and its controllers need the CRDs of the kinds they read.
 */
enum CapiProvider {

    CORE("cluster-api",
            List.of(Kind.CLUSTER, Kind.MACHINE, Kind.MACHINE_SET, Kind.MACHINE_DEPLOYMENT,
                    Kind.MACHINE_HEALTH_CHECK)),
    KUBEADM_BOOTSTRAP("bootstrap-kubeadm", List.of(Kind.KUBEADM_CONFIG, Kind.KUBEADM_CONFIG_TEMPLATE)),
    KUBEADM_CONTROL_PLANE("control-plane-kubeadm", List.of(Kind.KUBEADM_CONTROL_PLANE)),
    AWS("infrastructure-aws", List.of(Kind.AWS_CLUSTER, Kind.AWS_MACHINE, Kind.AWS_MACHINE_TEMPLATE,
            Kind.AWS_STATIC_IDENTITY, Kind.AWS_ROLE_IDENTITY, Kind.AWS_CONTROLLER_IDENTITY)),
    AZURE("infrastructure-azure", List.of(Kind.AZURE_CLUSTER, Kind.AZURE_MACHINE,
            Kind.AZURE_MACHINE_TEMPLATE, Kind.AZURE_CLUSTER_IDENTITY)),
    GCP("infrastructure-gcp", List.of(Kind.GCP_CLUSTER, Kind.GCP_MACHINE, Kind.GCP_MACHINE_TEMPLATE)),
    VSPHERE("infrastructure-vsphere", List.of(Kind.VSPHERE_CLUSTER, Kind.VSPHERE_MACHINE,
            Kind.VSPHERE_MACHINE_TEMPLATE, Kind.VSPHERE_VM, Kind.VSPHERE_CLUSTER_IDENTITY)),
    MAAS("infrastructure-maas", List.of(Kind.MAAS_CLUSTER, Kind.MAAS_MACHINE,
            Kind.MAAS_MACHINE_TEMPLATE));

    /** clusterctl's label on every object of a provider's components: its manifest label. */
    static final String PROVIDER_LABEL = "cluster.x-k8s.io/provider";

    private final String labelKey;
    private final String labelValue;
    private final List<Kind> kinds;

    CapiProvider(String manifestLabel, List<Kind> kinds) {
        this("cluster.x-k8s.io/provider", manifestLabel, kinds);
    }

    CapiProvider(String labelKey, String labelValue, List<Kind> kinds) {
        this.labelKey = labelKey;
        this.labelValue = labelValue;
        this.kinds = kinds;
    }

    String labelKey() {
        return labelKey;
    }

    String labelValue() {
        return labelValue;
    }

    /** The kinds whose CRDs must be Established for the provider's controllers to work. */
    List<Kind> kinds() {
        return kinds;
    }

    /** The request's provider id of an infrastructure provider ({@code aws}, …), as the cluster internals know it. */
    Optional<String> infrastructureId() {
        return switch (this) {
            case AWS -> Optional.of("aws");
            case AZURE -> Optional.of("azure");
            case GCP -> Optional.of("gcp");
            case VSPHERE -> Optional.of("vsphere");
            case MAAS -> Optional.of("maas");
            default -> Optional.empty();
        };
    }
}
