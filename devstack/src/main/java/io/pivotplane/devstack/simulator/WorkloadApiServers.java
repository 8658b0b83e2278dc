package io.pivotplane.devstack.simulator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The Kubernetes API servers of the simulated workload clusters, one per cluster, found by their URL. */
public final class WorkloadApiServers implements AutoCloseable {

    private final Map<String, KubernetesApiServer> byUrl = new ConcurrentHashMap<>();
    private final Consumer<KubernetesApiServer> onStart;

    /** @param onStart runs once for each new server, e.g. to simulate controllers and agents in it */
    public WorkloadApiServers(Consumer<KubernetesApiServer> onStart) {
        this.onStart = onStart;
    }

    /** Starts the API server of a new workload cluster, with the CAPI CRDs, as its first control-plane node does. */
    public KubernetesApiServer start() {
        KubernetesApiServer server = KubernetesApiServer.startKnowingCapiKinds(0);
        byUrl.put(normalize(server.url()), server);
        onStart.accept(server);
        return server;
    }

    public Optional<KubernetesClient> client(String url) {
        return Optional.ofNullable(byUrl.get(normalize(url))).map(KubernetesApiServer::client);
    }

    public int size() {
        return byUrl.size();
    }

    private static String normalize(String url) {
        return url.endsWith("/") ? url : url + "/";
    }

    @Override
    public void close() {
        byUrl.values().forEach(KubernetesApiServer::close);
        byUrl.clear();
    }
}
