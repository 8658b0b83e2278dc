package io.pivotplane.devstack.infra;

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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Kubernetes API servers of many simulated clusters behind one port, each under a path of its own
 * ({@code http://127.0.0.1:<port>/clusters/<n>/}), as a proxy such as Rancher's serves many clusters' APIs. Each
 * cluster has its own store, and so its own objects, resource versions and watches; the HTTP server, its
 * threads and its listening socket are shared, where a {@link KubernetesApiServer} of its own would cost each
 * cluster a Vert.x instance (three threads and a dozen file descriptors).
 */
public final class MultiClusterApiServer implements AutoCloseable {

    private static final String PREFIX = "/clusters/";

    private final KubernetesMockServer server;
    private final ClusterRouter router;
    private final String baseUrl;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, ClusterApi> byUrl = new ConcurrentHashMap<>();

    private MultiClusterApiServer(KubernetesMockServer server, ClusterRouter router) {
        this.server = server;
        this.router = router;
        this.baseUrl = "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
    }

    /** @param port 0 for a free port */
    public static MultiClusterApiServer start(int port) {
        ClusterRouter router = new ClusterRouter();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                router, false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return new MultiClusterApiServer(server, router);
    }

    /** The API of one simulated cluster: its URL and a client of it, owned by the server. */
    public record ClusterApi(String id, String url, KubernetesClient client) { }

    /** Adds a cluster that knows the kinds of the upstream Cluster API CRDs, with no objects yet. */
    public ClusterApi addCluster() {
        String id = Long.toString(sequence.incrementAndGet());
        router.clusters.put(id, new KubernetesApiServer.RecordingDispatcher(KubernetesApiServer.CapiKinds.CONTEXTS));
        String url = baseUrl + PREFIX + id + "/";
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("default").build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
                .withHttpClientFactory(KubernetesApiServer.SHARED_HTTP_CLIENTS)
                .withKubernetesSerialization(KubernetesApiServer.SHARED_SERIALIZATION).build();
        ClusterApi api = new ClusterApi(id, url, client);
        byUrl.put(url, api);
        return api;
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
        byUrl.remove(api.url());
        api.client().close();
        Dispatcher dispatcher = router.clusters.remove(api.id());
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
