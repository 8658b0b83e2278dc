package io.pivotplane.devstack.infra;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.pivotplane.capi.request.ClusterRequestCrd;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Set;

/**
 * A Kubernetes API server for the local stack and the tests: fabric8's mock server in CRUD mode, which stores
 * objects and serves watches, made to hold what a real server holds where the stack depends on it
 * ({@link ApiServerDispatcher}: only built-in kinds and those of established CRDs, namespaces that must exist, status
 * as a subresource, Secrets as stored, service-account tokens). It is still not a real API server (no server-side
 * apply, garbage collection, schema validation, defaulting or RFC 7386 merge patch): code written against it must stick
 * to what a real one does the same way.
 */
public final class KubernetesApiServer implements AutoCloseable {

    /**
     * The clients of all servers in this JVM share one JSON mapping and one HTTP client factory (on one Vert.x): a
     * mapping of its own would parse each workload cluster's first objects with cold serializer caches, a factory of
     * its own would start a Vert.x instance per cluster.
     */
    static final KubernetesSerialization SHARED_SERIALIZATION = new KubernetesSerialization();
    static final HttpClient.Factory SHARED_HTTP_CLIENTS = new VertxHttpClientFactory(Vertx.vertx());
    /**
     * The root CA of every simulated cluster, as its token controller puts it into service-account token Secrets and
     * its root-CA publisher into each namespace's {@code kube-root-ca.crt}.
     */
    public static final String CLUSTER_CA = ApiServerDispatcher.CLUSTER_CA;

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final Set<ApiRequest> authenticatedRequests;
    private final ApiServerDispatcher dispatcher;

    private KubernetesApiServer(KubernetesMockServer server, ApiServerDispatcher dispatcher) {
        this.server = server;
        this.client = server.createClient(builder -> builder.withKubernetesSerialization(SHARED_SERIALIZATION)
                .withHttpClientFactory(SHARED_HTTP_CLIENTS));
        this.authenticatedRequests = dispatcher.requests();
        this.dispatcher = dispatcher;
    }

    /**
     * Starts the management cluster's server as {@code deploy/} leaves it: it knows pivotplane's own
     * {@code ClusterRequest} CRD. Cluster API's CRDs come with {@code clusterctl init}, as in a real cluster.
     *
     * @param port 0 for a free port
     */
    public static KubernetesApiServer start(int port) {
        KubernetesApiServer api = startEmpty(port);
        api.createCustomResourceDefinitions(ClusterRequestCrd.all());
        return api;
    }

    /**
     * A client of a simulated server, sharing the JVM's HTTP client factory (one Vert.x) and JSON mapping with every
     * other: what the simulator's own controllers use. Its caller closes it.
     */
    public static KubernetesClient newClient(Config config) {
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(SHARED_HTTP_CLIENTS)
                .withKubernetesSerialization(SHARED_SERIALIZATION).build();
    }

    /** Starts a server that knows only Kubernetes' built-in kinds, as a new cluster's does. */
    public static KubernetesApiServer startEmpty(int port) {
        ApiServerDispatcher dispatcher = new ApiServerDispatcher();
        MockWebServer web = new MockWebServer();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), web, new HashMap<>(),
                new RequestsForgotten(dispatcher, web), false);
        server.init(InetAddress.getLoopbackAddress(), port);
        return new KubernetesApiServer(server, dispatcher);
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

    /**
     * Characters of JSON this server's CRDs hold, and of those the ones no other server in this JVM shares: what the
     * CRDs cost in memory (a character of the JSON is a byte of a Latin-1 string).
     */
    public long[] customResourceDefinitionFootprint() {
        return dispatcher.store().footprint("customresourcedefinitions");
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
