package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * CAPI's {@code ClusterCache} for the controllers of one cluster: the workload cluster of a Cluster, reached through
 * the {@code <cluster>-kubeconfig} Secret next to it, and a watch of its Nodes (and of kubeadm's ConfigMap) that wakes
 * the controllers reading them.
 */
final class RemoteClusters {

    private static final Set<String> WATCHED_KINDS = Set.of(Kind.NODE.kind(), Kind.CONFIG_MAP.kind());

    private final Api api;
    private final Simulation simulation;
    private final Consumer<Key> changed;
    /** The clusters (of this controller host) each workload API's changes concern, by its URL. */
    private final Map<String, Set<Key>> watched = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param changed told of the Cluster whose workload cluster's Nodes changed */
    RemoteClusters(Api api, Simulation simulation, Consumer<Key> changed) {
        this.api = api;
        this.simulation = simulation;
        this.changed = changed;
    }

    /** The API of the Cluster's workload cluster, when its kubeconfig names one that answers. */
    Optional<ClusterApi> workload(Key cluster) {
        Secret secret = api.secret(cluster.namespace(), Capi.kubeconfigSecretName(cluster.name()));
        Optional<ClusterApi> workload = Kubeconfigs.fromSecret(secret).map(Config::getMasterUrl)
                .flatMap(simulation.workloads()::api);
        workload.ifPresent(remote -> watch(remote, cluster));
        return workload;
    }

    private void watch(ClusterApi remote, Key cluster) {
        Set<Key> clusters = watched.computeIfAbsent(remote.url(), url -> {
            Set<Key> keys = ConcurrentHashMap.newKeySet();
            remote.addChangeListener((before, after) -> {
                GenericKubernetesResource object = after != null ? after : before;
                if (!closed && WATCHED_KINDS.contains(object.getKind())) {
                    keys.forEach(changed);
                }
            });
            return keys;
        });
        clusters.add(cluster);
    }

    void close() {
        closed = true;
    }
}
