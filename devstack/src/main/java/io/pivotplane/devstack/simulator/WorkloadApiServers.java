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
    private final Consumer<ClusterApi> onStop;

    /**
     * @param onStart runs once for each new cluster's API, e.g. to simulate controllers and agents in it
     * @param onStop runs when a cluster's API goes away, before its URL stops answering
     */
    public WorkloadApiServers(Consumer<ClusterApi> onStart, Consumer<ClusterApi> onStop) {
        this.onStart = onStart;
        this.onStop = onStop;
    }

    /** Starts the API server of a new workload cluster, as its first control-plane node does. */
    public ClusterApi start() {
        ClusterApi api = server.addCluster();
        onStart.accept(api);
        return api;
    }

    /** Takes a workload cluster's API away, as the loss of its last control-plane node does: its URL answers 404. */
    public void stop(ClusterApi api) {
        onStop.accept(api);
        server.removeCluster(api);
    }

    public Optional<ClusterApi> api(String url) {
        return server.cluster(url);
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
