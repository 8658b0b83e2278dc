package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.devstack.infra.MultiClusterApiServer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a real cluster does by itself (API server extras, kubelets, scheduler, CNI/CCM/cert-manager effects), for one
 * cluster's API.
 */
public final class ClusterInternals implements AutoCloseable {

    private ClusterInternals() {
    }

    /** Starts simulating inside a workload cluster served by the multi-cluster server; follows its changes in-process. */
    public static ClusterInternals startInWorkload(MultiClusterApiServer.ClusterApi api,
                                                   ScheduledExecutorService scheduler) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Starts simulating inside the management cluster (informers on its API): it already runs, with one Ready,
     * untainted node whose network is ready.
     */
    public static ClusterInternals startInManagement(KubernetesClient management, ScheduledExecutorService scheduler) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * The kubelet of a machine that has booted registers its Node, as kubeadm init/join and the kubelet do.
     *
     * @param nodeRegistration kubeadm's NodeRegistrationOptions of the machine's bootstrap config (init or join), as a
     *     map: name, taints, kubeletExtraArgs, …
     * @param providerId what the kubelet itself sets in spec.providerID (only when kubeletExtraArgs has
     *     {@code provider-id}, or an in-tree cloud provider such as {@code gce} is configured); the CCM or the
     *     infrastructure provider sets it otherwise
     */
    public void registerNode(String nodeName, boolean controlPlane, Map<String, Object> nodeRegistration,
                             Optional<String> providerId) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The node's machine is gone: its Node goes too. */
    public void removeNode(String nodeName) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The infrastructure provider (e.g. CAPMAAS) or a CCM sets a node's provider id. */
    public void setProviderId(String nodeName, String providerId) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Nodes of this cluster and the provider ids their machines have, so a simulated CCM can initialise them.
     *
     * @param infrastructureProvider {@code aws}, {@code azure}, {@code vsphere}, {@code gcp} or {@code maas}
     */
    public void machineProviderId(String nodeName, String providerId, String infrastructureProvider) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
    }
}
