package io.pivotplane.devstack.simulator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.devstack.infra.MultiClusterApiServer;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Kubernetes APIs of the simulated workload clusters, each under a path of its own on one shared server,
 * found by their URL.
 */
public final class WorkloadApiServers implements AutoCloseable {

    private final MultiClusterApiServer server = MultiClusterApiServer.start(0);
    private final Consumer<ClusterApi> onStart;

    /** @param onStart runs once for each new cluster's API, e.g. to simulate controllers and agents in it */
    public WorkloadApiServers(Consumer<ClusterApi> onStart) {
        this.onStart = onStart;
    }

    /** Starts the API server of a new workload cluster, knowing the CAPI kinds, as its first control-plane node does. */
    public ClusterApi start() {
        ClusterApi api = server.addCluster();
        onStart.accept(api);
        return api;
    }

    public Optional<KubernetesClient> client(String url) {
        return server.cluster(url).map(ClusterApi::client);
    }

    public int size() {
        return server.clusters();
    }

    @Override
    public void close() {
        server.close();
    }
}
