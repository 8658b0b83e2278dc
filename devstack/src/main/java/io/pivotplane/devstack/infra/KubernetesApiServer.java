package io.pivotplane.devstack.infra;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.pivotplane.capi.CapiCrds;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Kubernetes API server for the local stack and the tests: fabric8's mock server in CRUD mode, which stores
 * objects, serves watches and honours {@code /status} of the CRDs it knows. It is not a real API server (no
 * server-side apply, garbage collection, schema validation or RFC 7386 merge patch): code written against it
 * must stick to what a real one does the same way.
 */
public final class KubernetesApiServer implements AutoCloseable {

    /**
     * The clients of all servers in this JVM share one JSON mapping and one HTTP client factory (on one Vert.x): a
     * mapping of its own would parse each workload cluster's first objects with cold serializer caches, a factory of
     * its own would start a Vert.x instance per cluster.
     */
    static final KubernetesSerialization SHARED_SERIALIZATION = new KubernetesSerialization();
    static final HttpClient.Factory SHARED_HTTP_CLIENTS = new VertxHttpClientFactory(Vertx.vertx());

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final Set<ApiRequest> authenticatedRequests;

    private KubernetesApiServer(KubernetesMockServer server, Set<ApiRequest> authenticatedRequests) {
        this.server = server;
        this.client = server.createClient(builder -> builder.withKubernetesSerialization(SHARED_SERIALIZATION)
                .withHttpClientFactory(SHARED_HTTP_CLIENTS));
        this.authenticatedRequests = authenticatedRequests;
    }

    /**
     * Starts a server that knows the upstream Cluster API CRDs, as every API server of the local stack must.
     *
     * @param port 0 for a free port
     */
    public static KubernetesApiServer start(int port) {
        KubernetesApiServer api = startEmpty(port);
        api.createCustomResourceDefinitions(CapiCrds.all());
        api.createCustomResourceDefinitions(List.of(io.pivotplane.capi.request.ClusterRequestCrd.definition()));
        return api;
    }

    /** Starts a server without CRDs. */
    public static KubernetesApiServer startEmpty(int port) {
        return start(port, new RecordingDispatcher(List.of()));
    }

    private static KubernetesApiServer start(int port, RecordingDispatcher dispatcher) {
        KubernetesMockServer server = new KubernetesMockServer(new Context(),
                new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return new KubernetesApiServer(server, dispatcher.requests);
    }

    /** The kinds of the upstream CRDs as the CRUD dispatcher learns them from a created CRD; built once. */
    static final class CapiKinds {
        static final List<CustomResourceDefinitionContext> CONTEXTS = CapiCrds.all().stream()
                .map(CustomResourceDefinitionContext::fromCrd).toList();
    }

    /**
     * The kinds of request made so far by callers that sent a bearer token, by their RBAC attributes: what a real
     * API server would have authorized. The local stack gives each service its account's name as token, so this
     * is what each service's RBAC in {@code deploy/} must allow.
     */
    public Set<ApiRequest> authenticatedRequests() {
        return Set.copyOf(authenticatedRequests);
    }

    /** The API server's URL, e.g. {@code http://127.0.0.1:40123/}. */
    public String url() {
        return client.getMasterUrl().toString();
    }

    /** A client of this server, owned by it: do not close it. */
    public KubernetesClient client() {
        return client;
    }

    /** Creates the CRDs, so that the server knows their kinds and their status subresources. */
    public void createCustomResourceDefinitions(Collection<CustomResourceDefinition> crds) {
        crds.forEach(crd -> client.apiextensions().v1().customResourceDefinitions().resource(crd).create());
    }

    static class RecordingDispatcher extends KubernetesCrudDispatcher {

        private static final String BEARER = "Bearer ";

        private final Set<ApiRequest> requests = ConcurrentHashMap.newKeySet();
        private final IndexedObjectStore store = IndexedObjectStore.installIn(this);

        RecordingDispatcher(List<CustomResourceDefinitionContext> knownKinds) {
            super(new java.util.ArrayList<>(knownKinds));
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String authorization = request.getHeader("Authorization");
            if (authorization != null && authorization.startsWith(BEARER)) {
                ApiRequest.of(authorization.substring(BEARER.length()), request.getMethod(), request.getPath())
                        .ifPresent(requests::add);
            }
            return store.handle(request.getPath(), getAttributeExtractor(), () -> super.dispatch(request));
        }
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
