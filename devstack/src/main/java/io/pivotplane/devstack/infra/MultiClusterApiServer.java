package io.pivotplane.devstack.infra;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes API servers of many simulated clusters behind one port, each under a path of its own
 * ({@code http://127.0.0.1:<port>/clusters/<n>/}), as a proxy such as Rancher's serves many clusters' APIs. Each
 * cluster has its own store, and so its own objects, resource versions and watches; the HTTP server, its
 * threads and its listening socket are shared, where a {@link KubernetesApiServer} of its own would cost each
 * cluster a Vert.x instance (three threads and a dozen file descriptors).
 */
public final class MultiClusterApiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MultiClusterApiServer.class);
    private static final String PREFIX = "/clusters/";

    private final KubernetesMockServer server;
    private final ClusterRouter router;
    private final String baseUrl;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, ClusterApi> byUrl = new ConcurrentHashMap<>();
    /** Delivers the clusters' changes to their listeners, serially per cluster. */
    private final ExecutorService changes = Executors.newCachedThreadPool(DaemonThreads.named("simulated-cluster-changes"));
    /**
     * Runs what the clusters' clients do besides HTTP (informer event handlers): a pool of their own each would cost
     * every cluster threads.
     */
    private final ExecutorService clientTasks = Executors.newCachedThreadPool(DaemonThreads.named("simulated-cluster-client"));

    private MultiClusterApiServer(KubernetesMockServer server, ClusterRouter router) {
        this.server = server;
        this.router = router;
        this.baseUrl = "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    /** @param port 0 for a free port */
    public static MultiClusterApiServer start(int port) {
        ClusterRouter router = new ClusterRouter();
        MockWebServer web = new MockWebServer();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), web, new HashMap<>(),
                new RequestsForgotten(router, web), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return new MultiClusterApiServer(server, router);
    }

    /**
     * A change to an object of a simulated cluster, as its store saw it: {@code before} is null for a created
     * object, {@code after} for a deleted one.
     */
    @FunctionalInterface
    public interface ChangeListener {
        void changed(GenericKubernetesResource before, GenericKubernetesResource after);
    }

    /** The API of one simulated cluster: its URL, a client of it (owned by the server), and its changes. */
    public final class ClusterApi {

        private final String id;
        private final String url;
        private final KubernetesClient client;
        private final ObservedStore store;
        private volatile boolean removed;

        private ClusterApi(String id, String url, KubernetesClient client, ObservedStore store) {
            this.id = id;
            this.url = url;
            this.client = client;
            this.store = store;
        }

        public String url() {
            return url;
        }

        /** Whether the cluster was removed: its API answers 404 to everything now. */
        public boolean removed() {
            return removed;
        }

        public KubernetesClient client() {
            return client;
        }

        /**
         * Tells {@code listener} of every change to this cluster's objects from now on, in order, on a thread of
         * the server's: what an informer would see, without a watch connection of its own. For the simulated
         * controllers of the clusters, which live in this JVM; the code under test watches through the API.
         */
        public void addChangeListener(ChangeListener listener) {
            store.addListener(listener);
        }
    }

    /**
     * Adds a cluster whose API knows only Kubernetes' built-in kinds and holds only what a new cluster holds (its
     * system namespaces and priority classes), as a first control-plane node's API server starts.
     */
    public ClusterApi addCluster() {
        String id = Long.toString(sequence.incrementAndGet());
        ObservedStore store = new ObservedStore(new SerialExecutor(changes));
        router.clusters.put(id, store.dispatcher);
        String url = baseUrl + PREFIX + id + "/";
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("default").build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
                .withHttpClientFactory(KubernetesApiServer.SHARED_HTTP_CLIENTS)
                .withTaskExecutor(clientTasks)
                .withKubernetesSerialization(KubernetesApiServer.SHARED_SERIALIZATION).build();
        ClusterApi api = new ClusterApi(id, url, client, store);
        byUrl.put(url, api);
        return api;
    }

    /** Characters of JSON a cluster's CRDs hold, and of those the ones no other cluster shares. */
    public long[] customResourceDefinitionFootprint(ClusterApi api) {
        return api.store.dispatcher.store().footprint("customresourcedefinitions");
    }

    /** The cluster whose API is at {@code url} (with or without its trailing slash). */
    public Optional<ClusterApi> cluster(String url) {
        return Optional.ofNullable(byUrl.get(url.endsWith("/") ? url : url + "/"));
    }

    public int clusters() {
        return byUrl.size();
    }

    /** Removes a cluster: its objects go, its URL answers 404 from now on. */
    public void removeCluster(ClusterApi api) {
        api.removed = true;
        byUrl.remove(api.url());
        api.client().close();
        Dispatcher dispatcher = router.clusters.remove(api.id);
        if (dispatcher != null) {
            dispatcher.shutdown();
        }
    }

    @Override
    public void close() {
        byUrl.values().forEach(api -> api.client().close());
        byUrl.clear();
        router.clusters.clear();
        server.destroy();
        changes.shutdownNow();
        clientTasks.shutdownNow();
    }

    /**
     * A cluster's store that also tells its listeners what changed. The store reports each change under its lock, from
     * the server's request thread: the listeners hear of it afterwards, on the cluster's serial executor, so that they
     * may call the API themselves.
     */
    private static final class ObservedStore {

        private final ApiServerDispatcher dispatcher = new ApiServerDispatcher();
        private final SerialExecutor delivery;
        private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();

        ObservedStore(SerialExecutor delivery) {
            this.delivery = delivery;
        }

        void addListener(ChangeListener listener) {
            listeners.add(listener);
            dispatcher.onChange((before, after) -> delivery.execute(() -> deliver(before, after)));
        }

        private void deliver(String beforeJson, String afterJson) {
            GenericKubernetesResource before = parse(beforeJson);
            GenericKubernetesResource after = parse(afterJson);
            for (ChangeListener listener : listeners) {
                try {
                    listener.changed(before, after);
                } catch (RuntimeException e) {
                    LOG.warn("A listener of a simulated cluster's changes failed", e);
                }
            }
        }

        private static GenericKubernetesResource parse(String json) {
            return json == null ? null
                    : KubernetesApiServer.SHARED_SERIALIZATION.unmarshal(json, GenericKubernetesResource.class);
        }
    }

    /** Hands each request to the store of the cluster its path names, with that prefix taken off. */
    private static final class ClusterRouter extends Dispatcher {

        private final Map<String, Dispatcher> clusters = new ConcurrentHashMap<>();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            if (path.startsWith(PREFIX)) {
                int end = path.indexOf('/', PREFIX.length());
                String id = end < 0 ? path.substring(PREFIX.length()) : path.substring(PREFIX.length(), end);
                Dispatcher cluster = clusters.get(id);
                if (cluster != null) {
                    String rest = end < 0 ? "/" : path.substring(end);
                    return cluster.dispatch(new RecordedRequest(request.getHttpVersion(), request.method(), rest,
                            request.getHeaders(), request.getBody()));
                }
            }
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
                    .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\","
                            + "\"message\":\"no simulated cluster serves " + path.replace("\"", "") + "\",\"code\":404}");
        }

        @Override
        public void shutdown() {
            clusters.values().forEach(Dispatcher::shutdown);
        }
    }
}
