package io.pivotplane.devstack.infra;

import static io.pivotplane.devstack.infra.IndexedObjectStore.GROUP;
import static io.pivotplane.devstack.infra.IndexedObjectStore.NAME;
import static io.pivotplane.devstack.infra.IndexedObjectStore.NAMESPACE;
import static io.pivotplane.devstack.infra.IndexedObjectStore.PLURAL;
import static io.pivotplane.devstack.infra.IndexedObjectStore.VERSION;
import static io.pivotplane.devstack.infra.IndexedObjectStore.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.pivotplane.devstack.infra.ApiResources.Resource;
import java.lang.reflect.Field;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fabric8's CRUD dispatcher made to hold what a real API server holds, where the stack depends on it: it serves only
 * the built-in kinds and those of established CRDs (404 otherwise, with discovery to match); a namespaced object needs
 * its namespace, which must not be terminating; status is a subresource wherever it is one in Kubernetes; objects are
 * stored as the registry strategies store them ({@link Strategies}: Secrets normalized and validated, Services given
 * their cluster IP, Namespaces finalized, a Node's provider id kept) and defaulted ({@link Defaults}); admission webhooks
 * must be reachable ({@link AdmissionWebhooks}); and what the control plane does on its own right after a write
 * happens too: a CRD gets established, a service-account token Secret its token (or goes, when its account does not
 * exist), deleting a namespace deletes its content and deleting a CRD its objects before they go. It also keeps its
 * objects in an {@link IndexedObjectStore} and records the requests of callers with a bearer token.
 */
final class ApiServerDispatcher extends KubernetesCrudDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServerDispatcher.class);

    /** The namespaces a new cluster has: {@code default} from the API server, the others from its system controller. */
    static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-node-lease", "kube-public", "kube-system");
    static final String KUBERNETES_VERSION = "v1.31.4";
    /** The cluster's root CA, as the token controller puts it into service-account token Secrets. */
    static final String CLUSTER_CA = """
            -----BEGIN CERTIFICATE-----
            c2ltdWxhdGVkIGNsdXN0ZXIgQ0Egb2YgYSBwaXZvdHBsYW5lIGxvY2FsIHN0YWNr
            -----END CERTIFICATE-----
            """;

    private static final String BEARER = "Bearer ";
    private static final String CORE = "";
    private static final String APIEXTENSIONS = "apiextensions.k8s.io";
    private static final String CRDS = "customresourcedefinitions";
    private static final String CRD_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

    /** A change this server has stored: {@code before} null for a created object, {@code after} for a deleted one. */
    @FunctionalInterface
    interface ChangeHook {
        void changed(String before, String after);
    }

    private final Set<ApiRequest> requests = ConcurrentHashMap.newKeySet();
    private final IndexedObjectStore store = IndexedObjectStore.installIn(this);
    private final ReadWriteLock lock = lockOf(this);
    private final ApiResources resources = new ApiResources();
    private final AdmissionWebhooks webhooks = new AdmissionWebhooks();
    private final Strategies strategies = new Strategies();
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private final Set<String> terminatingNamespaces = ConcurrentHashMap.newKeySet();
    /** By {@code <plural>.<group>}: CRDs whose objects are being deleted before they go. */
    private final Set<String> terminatingCrds = ConcurrentHashMap.newKeySet();
    /** What the control plane does after the current request, in order, once it is answered. */
    private final ThreadLocal<Deque<Runnable>> followUps = ThreadLocal.withInitial(ArrayDeque::new);
    private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
    private volatile ChangeHook hook;

    ApiServerDispatcher() {
        super(List.of());
        for (String namespace : SYSTEM_NAMESPACES) {
            bootstrap("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
                    + namespace + "\"}}");
        }
        // the API server's own Service and its endpoints, which every cluster has in default
        bootstrap("/api/v1/namespaces/default/services", "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
                + "{\"name\":\"kubernetes\",\"namespace\":\"default\",\"labels\":{\"component\":\"apiserver\","
                + "\"provider\":\"kubernetes\"}},\"spec\":{\"clusterIP\":\"10.96.0.1\",\"ports\":[{\"name\":\"https\","
                + "\"port\":443,\"protocol\":\"TCP\",\"targetPort\":6443}]}}");
        bootstrap("/api/v1/namespaces/default/endpoints", "{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\",\"metadata\":"
                + "{\"name\":\"kubernetes\",\"namespace\":\"default\"},\"subsets\":[{\"addresses\":[{\"ip\":"
                + "\"10.0.0.1\"}],\"ports\":[{\"name\":\"https\",\"port\":6443,\"protocol\":\"TCP\"}]}]}");
        // the priority classes the API server creates at start; pods naming another one are refused
        bootstrap("/apis/scheduling.k8s.io/v1/priorityclasses", priorityClass("system-node-critical", 2000001000,
                "Used for system critical pods that must not be moved from their current node."));
        bootstrap("/apis/scheduling.k8s.io/v1/priorityclasses", priorityClass("system-cluster-critical", 2000000000,
                "Used for system critical pods that must run in the cluster, but can be moved to another node if "
                        + "necessary."));
    }

    private static String priorityClass(String name, int value, String description) {
        return "{\"apiVersion\":\"scheduling.k8s.io/v1\",\"kind\":\"PriorityClass\",\"metadata\":{\"name\":\"" + name
                + "\"},\"value\":" + value + ",\"globalDefault\":false,\"preemptionPolicy\":\"PreemptLowerPriority\","
                + "\"description\":\"" + description + "\"}";
    }

    private void bootstrap(String path, String body) {
        MockResponse response = dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.POST, path,
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(body.getBytes(StandardCharsets.UTF_8))));
        if (response.code() != HttpURLConnection.HTTP_CREATED) {
            throw new IllegalStateException("cannot create " + body + ": " + response.getBody().readUtf8());
        }
    }

    /** Tells {@code hook} of every change stored from now on, under the store's lock: it must not block. */
    void onChange(ChangeHook hook) {
        this.hook = hook;
    }

    Set<ApiRequest> requests() {
        return requests;
    }

    IndexedObjectStore store() {
        return store;
    }

    // --- requests ---------------------------------------------------------------------------------------------------

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.startsWith(BEARER)) {
            ApiRequest.of(authorization.substring(BEARER.length()), request.getMethod(), request.getPath())
                    .ifPresent(requests::add);
        }
        int[] level = depth.get();
        level[0]++;
        MockResponse response;
        try {
            response = route(request);
        } catch (Refusal refusal) {
            response = refusal.response();
        } finally {
            level[0]--;
        }
        if (level[0] == 0) {
            runFollowUps();
        }
        return response;
    }

    private MockResponse route(RecordedRequest request) {
        Optional<ResourcePath> parsed = ResourcePath.parse(request.getPath());
        if (parsed.isEmpty()) {
            return nonResource(request);
        }
        ResourcePath target = parsed.get();
        Resource resource = resources.find(target.group(), target.version(), target.resource())
                .orElseThrow(Refusal::notFound);
        boolean inNamespace = !target.namespace().isEmpty();
        if (!resource.namespaced() && inNamespace
                || resource.namespaced() && !inNamespace && (target.named() || request.method() == HttpMethod.POST)) {
            throw Refusal.notFound();
        }
        if (request.method() == HttpMethod.GET) {
            return stored(request);
        }
        String body = request.getBody() == null ? "" : request.getBody().readUtf8();
        admitThroughWebhooks(request.method(), target, resource, body);
        return switch (request.method()) {
            case POST -> create(withBody(request, body), target, resource, body);
            case PUT -> update(withBody(request, body), target, resource, body);
            case DELETE -> delete(withBody(request, body), target, resource);
            default -> stored(withBody(request, body));
        };
    }

    /** Handles the request as fabric8's dispatcher does, its scans limited to the objects it is about. */
    private MockResponse stored(RecordedRequest request) {
        return store.handle(request.getPath(), getAttributeExtractor(), () -> super.dispatch(request));
    }

    /** The admission webhooks that match the request must be reachable (see {@link AdmissionWebhooks}). */
    private void admitThroughWebhooks(HttpMethod method, ResourcePath target, Resource resource, String body) {
        if (webhooks.isEmpty() || method == HttpMethod.DELETE && !target.named()) {
            return;
        }
        String operation = switch (method) {
            case POST -> "CREATE";
            case DELETE -> "DELETE";
            default -> "UPDATE";
        };
        Supplier<JsonNode> old = () -> {
            Map.Entry<AttributeSet, String> current = target.named()
                    ? store.find(resource.plural(), resource.group(), target.namespace(), target.name()) : null;
            return current == null ? null : Json.parse(current.getValue());
        };
        Supplier<JsonNode> object = method == HttpMethod.POST || method == HttpMethod.PUT ? () -> Json.parse(body)
                : method == HttpMethod.PATCH ? old : () -> null;
        webhooks.refusal(operation, target, resource, object, method == HttpMethod.POST ? () -> null : old,
                        (plural, namespace, name) -> {
                            Map.Entry<AttributeSet, String> found = store.find(plural, CORE, namespace, name);
                            return found == null ? null : Json.parse(found.getValue());
                        })
                .ifPresent(message -> {
                    throw Refusal.internalError(message);
                });
    }

    private MockResponse create(RecordedRequest request, ResourcePath target, Resource resource, String body) {
        if (target.named()) {
            if (isCore(resource, "serviceaccounts") && target.subresource().equals("token")) {
                return tokenRequest(target, Json.parse(body));
            }
            throw Refusal.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        if (resource.namespaced()) {
            if (!namespaces.contains(target.namespace())) {
                throw Refusal.notFound("namespaces", target.namespace());
            }
            if (terminatingNamespaces.contains(target.namespace())) {
                throw Refusal.forbidden("unable to create new content in namespace " + target.namespace()
                        + " because it is being terminated");
            }
        }
        if (terminatingCrds.contains(resource.plural() + "." + resource.group())) {
            throw Refusal.methodNotAllowed("create not allowed while custom resource definition is terminating");
        }
        if (isCore(resource, "secrets")) {
            return stored(withBody(request, Strategies.secret(Json.parse(body), null)));
        }
        if (isCore(resource, "services")) {
            return stored(withBody(request, strategies.service(Json.parse(body), null)));
        }
        if (isCore(resource, "namespaces")) {
            return stored(withBody(request, Strategies.namespace(Json.parse(body), null)));
        }
        if (isWorkload(resource)) {
            ObjectNode workload = Json.parse(body);
            Defaults.workload(workload, resource.plural().equals("deployments"));
            return stored(withBody(request, workload));
        }
        return stored(request);
    }

    private MockResponse update(RecordedRequest request, ResourcePath target, Resource resource, String body) {
        Map.Entry<AttributeSet, String> current = store.find(resource.plural(), resource.group(), target.namespace(),
                target.name());
        if (current == null) {
            return stored(request);
        }
        ObjectNode object = Json.parse(body);
        if (target.isStatus()) {
            // fabric8 takes a status update with a stale resourceVersion; a real server answers 409
            String version = object.path("metadata").path("resourceVersion").asText("");
            if (!version.isEmpty() && !version.equals(Json.parse(current.getValue()).path("metadata")
                    .path("resourceVersion").asText())) {
                throw Refusal.stale(resource, target.name());
            }
            return stored(request);
        }
        if (!target.subresource().isEmpty()) {
            return stored(request);
        }
        if (isCore(resource, "secrets")) {
            return stored(withBody(request, Strategies.secret(object, Json.parse(current.getValue()))));
        }
        if (isCore(resource, "services")) {
            return stored(withBody(request, strategies.service(object, Json.parse(current.getValue()))));
        }
        if (isCore(resource, "namespaces")) {
            return stored(withBody(request, Strategies.namespace(object, Json.parse(current.getValue()))));
        }
        if (isWorkload(resource)) {
            Defaults.workload(object, resource.plural().equals("deployments"));
            return stored(withBody(request, object));
        }
        return stored(request);
    }

    private MockResponse delete(RecordedRequest request, ResourcePath target, Resource resource) {
        if (target.named() && isCore(resource, "namespaces")) {
            return deleteNamespace(request, target.name());
        }
        if (target.named() && resource.group().equals(APIEXTENSIONS) && resource.plural().equals(CRDS)) {
            return deleteCustomResourceDefinition(request, target.name());
        }
        return stored(request);
    }

    // --- what the control plane does after a write ------------------------------------------------------------------

    /**
     * Every write ends here, under the dispatcher's lock: what the registry strategies do to the object as it is
     * stored, and what the control plane does once the request is answered.
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        ChangeHook listener = hook;
        String before = listener == null || oldAttributes == null ? null : store.get(oldAttributes);
        String group = Objects.requireNonNullElse(value(pathAttributes, GROUP), CORE);
        String plural = Objects.requireNonNullElse(value(pathAttributes, PLURAL), "");
        GenericKubernetesResource stored = resource;
        String after = newState;
        if (after != null) {
            ObjectNode changed = stored(group, plural, after, oldAttributes);
            if (changed != null) {
                after = Json.write(changed);
                stored = null;
            }
        } else if (oldAttributes != null) {
            deleted(group, plural, value(oldAttributes, NAMESPACE), value(oldAttributes, NAME));
        }
        super.processEvent(path, pathAttributes, oldAttributes, stored, after);
        if (listener != null && !Objects.equals(before, after)) {
            listener.changed(before, after);
        }
    }

    /** What happens to an object of these kinds as it is stored: the object as stored, when that changes it. */
    private ObjectNode stored(String group, String plural, String json, AttributeSet oldAttributes) {
        if (group.equals(APIEXTENSIONS) && plural.equals(CRDS)) {
            ObjectNode crd = Json.parse(json);
            resources.serve(crd.path("metadata").path("name").asText(), Strategies.establish(crd));
            return crd;
        }
        if (group.equals(AdmissionWebhooks.GROUP) && plural.endsWith("webhookconfigurations")) {
            ObjectNode configuration = Json.parse(json);
            webhooks.configured(plural, configuration.path("metadata").path("name").asText(), configuration);
            return null;
        }
        if (!group.equals(CORE)) {
            return null;
        }
        switch (plural) {
            case "namespaces" -> namespaces.add(Json.parse(json).path("metadata").path("name").asText());
            case "secrets" -> {
                // every write, patches too, is stored normalized and validated against what it replaces
                ObjectNode secret = Strategies.secret(Json.parse(json), previous(oldAttributes));
                if (Strategies.needsToken(secret)) {
                    String secretPath = ResourcePath.objectPath(CORE, "v1", secret.path("metadata").path("namespace")
                            .asText(), "secrets", secret.path("metadata").path("name").asText());
                    followUps.get().add(() -> populateToken(secretPath));
                }
                return secret;
            }
            case "configmaps" -> {
                ObjectNode previous = previous(oldAttributes);
                if (previous != null) {
                    Strategies.configMap(Json.parse(json), previous);
                }
            }
            case "nodes" -> {
                ObjectNode previous = previous(oldAttributes);
                if (previous != null) {
                    Strategies.node(Json.parse(json), previous);
                }
            }
            default -> {
            }
        }
        return null;
    }

    /** What happens when an object of these kinds is gone for good. */
    private void deleted(String group, String plural, String namespace, String name) {
        if (group.equals(AdmissionWebhooks.GROUP) && plural.endsWith("webhookconfigurations")) {
            webhooks.configured(plural, name, null);
        } else if (group.equals(CORE) && plural.equals("namespaces")) {
            namespaces.remove(name);
        } else if (group.equals(APIEXTENSIONS) && plural.equals(CRDS)) {
            resources.stopServing(name);
        } else if (group.equals(CORE) && plural.equals("serviceaccounts")) {
            followUps.get().add(() -> deleteTokensOf(namespace, name));
        }
        if (namespace != null && terminatingNamespaces.contains(namespace)) {
            followUps.get().add(() -> finalizeNamespace(namespace));
        }
        String crd = plural + "." + group;
        if (terminatingCrds.contains(crd)) {
            followUps.get().add(() -> finalizeCustomResourceDefinition(crd));
        }
    }

    private ObjectNode previous(AttributeSet oldAttributes) {
        String json = oldAttributes == null ? null : store.get(oldAttributes);
        return json == null ? null : Json.parse(json);
    }

    @Override
    public boolean isStatusSubresourceEnabledForResource(String path) {
        return ResourcePath.parse(path)
                .flatMap(target -> resources.find(target.group(), target.version(), target.resource())
                        .map(resource -> switch (resource.status()) {
                            case NONE -> false;
                            case SUBRESOURCE -> true;
                            // fabric8 asks with the collection's path when it creates
                            case SUBRESOURCE_KEPT_ON_CREATE -> target.named();
                        }))
                .orElse(false);
    }

    /**
     * The namespace's lifecycle: deleting it marks it Terminating; the namespace controller deletes everything in it,
     * and the namespace goes once nothing is left (objects with finalizers keep it until they are gone).
     */
    private MockResponse deleteNamespace(RecordedRequest request, String name) {
        Map.Entry<AttributeSet, String> current = store.find("namespaces", CORE, "", name);
        if (current == null) {
            return stored(request);
        }
        if (terminatingNamespaces.contains(name)) {
            throw Refusal.conflict("namespaces", name, "The system is ensuring all content is removed from this "
                    + "namespace.  Upon completion, this namespace will automatically be purged by the system.");
        }
        if (Json.parse(current.getValue()).path("spec").path("finalizers").isEmpty()) {
            return stored(request);
        }
        terminatingNamespaces.add(name);
        String marked = rewrite(ResourcePath.objectPath(CORE, "v1", "", "namespaces", name), namespace -> {
            ((ObjectNode) namespace.get("metadata")).put("deletionTimestamp", Json.now());
            namespace.putObject("status").put("phase", "Terminating");
            return namespace;
        });
        followUps.get().add(() -> {
            for (Map.Entry<AttributeSet, String> content : store.findAll(key -> name.equals(value(key, NAMESPACE)))) {
                deleteObject(objectPath(content.getKey()));
            }
        });
        followUps.get().add(() -> finalizeNamespace(name));
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(marked);
    }

    private void finalizeNamespace(String name) {
        if (terminatingNamespaces.contains(name)
                && store.findAll(key -> name.equals(value(key, NAMESPACE))).isEmpty()) {
            remove(ResourcePath.objectPath(CORE, "v1", "", "namespaces", name));
            terminatingNamespaces.remove(name);
        }
    }

    /**
     * A CRD with objects left is marked Terminating (finalizer {@code customresourcecleanup.apiextensions.k8s.io});
     * its objects are deleted, no new ones may be created, and it goes once the last one has.
     */
    private MockResponse deleteCustomResourceDefinition(RecordedRequest request, String name) {
        String[] pluralAndGroup = name.split("\\.", 2);
        if (pluralAndGroup.length < 2 || instances(pluralAndGroup[0], pluralAndGroup[1]).isEmpty()
                || terminatingCrds.contains(name)) {
            return stored(request);
        }
        terminatingCrds.add(name);
        String marked = rewrite(ResourcePath.objectPath(APIEXTENSIONS, "v1", "", CRDS, name), crd -> {
            ObjectNode metadata = (ObjectNode) crd.get("metadata");
            metadata.put("deletionTimestamp", Json.now());
            metadata.putArray("finalizers").add(CRD_FINALIZER);
            Strategies.trueCondition(crd, "Terminating", "InstanceDeletionPending",
                    "CustomResourceDefinition marked for deletion; instance deletion pending");
            return crd;
        });
        followUps.get().add(() -> instances(pluralAndGroup[0], pluralAndGroup[1])
                .forEach(instance -> deleteObject(objectPath(instance.getKey()))));
        followUps.get().add(() -> finalizeCustomResourceDefinition(name));
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(marked);
    }

    private void finalizeCustomResourceDefinition(String name) {
        String[] pluralAndGroup = name.split("\\.", 2);
        if (terminatingCrds.contains(name) && instances(pluralAndGroup[0], pluralAndGroup[1]).isEmpty()) {
            remove(ResourcePath.objectPath(APIEXTENSIONS, "v1", "", CRDS, name));
            terminatingCrds.remove(name);
        }
    }

    private List<Map.Entry<AttributeSet, String>> instances(String plural, String group) {
        return store.find(plural, key -> group.equals(value(key, GROUP)));
    }

    /**
     * The token controller: a service-account token Secret gets a token, the cluster's CA and its namespace when its
     * account exists (with that account's uid), and is deleted when it does not.
     */
    private void populateToken(String path) {
        ResourcePath target = ResourcePath.parse(path).orElseThrow();
        Map.Entry<AttributeSet, String> entry = store.find("secrets", CORE, target.namespace(), target.name());
        if (entry == null) {
            return;
        }
        JsonNode annotations = Json.parse(entry.getValue()).path("metadata").path("annotations");
        String account = annotations.path(Strategies.SA_NAME_ANNOTATION).asText();
        String accountUid = annotations.path(Strategies.SA_UID_ANNOTATION).asText("");
        Map.Entry<AttributeSet, String> serviceAccount = store.find("serviceaccounts", CORE, target.namespace(),
                account);
        String uid = serviceAccount == null ? null
                : Json.parse(serviceAccount.getValue()).path("metadata").path("uid").asText();
        if (uid == null || !accountUid.isEmpty() && !accountUid.equals(uid)) {
            LOG.debug("Deleting token Secret {}/{}: its service account {} does not exist", target.namespace(),
                    target.name(), account);
            deleteObject(path);
            return;
        }
        rewrite(path, secret -> {
            if (!Strategies.needsToken(secret)) {
                return null;
            }
            Json.child(Json.child(secret, "metadata"), "annotations").put(Strategies.SA_UID_ANNOTATION, uid);
            Json.child(secret, "data").put("token", Json.base64(Strategies.token(target.namespace(), account, uid)))
                    .put("namespace", Json.base64(target.namespace()))
                    .put("ca.crt", Json.base64(CLUSTER_CA));
            return secret;
        });
    }

    /**
     * {@code POST serviceaccounts/<name>/token}, the TokenRequest API: a bound token for an account that exists, for
     * the requested lifetime (default one hour), stored nowhere.
     */
    private MockResponse tokenRequest(ResourcePath target, ObjectNode request) {
        Map.Entry<AttributeSet, String> account = store.find("serviceaccounts", CORE, target.namespace(),
                target.name());
        if (account == null) {
            throw Refusal.notFound("serviceaccounts", target.name());
        }
        String uid = Json.parse(account.getValue()).path("metadata").path("uid").asText();
        long seconds = request.path("spec").path("expirationSeconds").asLong(3600);
        request.put("apiVersion", "authentication.k8s.io/v1").put("kind", "TokenRequest");
        Json.child(request, "spec").put("expirationSeconds", seconds);
        request.putObject("status").put("token", Strategies.token(target.namespace(), target.name(), uid))
                .put("expirationTimestamp", java.time.Instant.now().plusSeconds(seconds)
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_CREATED).setBody(Json.write(request));
    }

    private void deleteTokensOf(String namespace, String account) {
        for (Map.Entry<AttributeSet, String> secret : store.find("secrets",
                key -> namespace.equals(value(key, NAMESPACE)))) {
            ObjectNode object = Json.parse(secret.getValue());
            if (Strategies.SA_TOKEN_TYPE.equals(object.path("type").asText()) && account.equals(object
                    .path("metadata").path("annotations").path(Strategies.SA_NAME_ANNOTATION).asText())) {
                deleteObject(objectPath(secret.getKey()));
            }
        }
    }

    // --- the control plane's own writes -----------------------------------------------------------------------------

    private void runFollowUps() {
        Deque<Runnable> queue = followUps.get();
        Runnable next;
        while ((next = queue.poll()) != null) {
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.warn("A simulated control-plane step after a request failed", e);
            }
        }
    }

    /**
     * Changes a stored object as a controller's update would, bypassing admission: {@code change} gets a copy and
     * returns the new object, or null to leave it. Returns the object's JSON as stored afterwards.
     */
    private String rewrite(String path, UnaryOperator<ObjectNode> change) {
        ResourcePath target = ResourcePath.parse(path).orElseThrow();
        lock.writeLock().lock();
        try {
            Map.Entry<AttributeSet, String> current = store.find(target.resource(), target.group(), target.namespace(),
                    target.name());
            if (current == null) {
                return null;
            }
            ObjectNode changed = change.apply(Json.parse(current.getValue()));
            if (changed == null) {
                return current.getValue();
            }
            ((ObjectNode) changed.get("metadata")).put("resourceVersion", String.valueOf(requestResourceVersion()));
            String json = Json.write(changed);
            processEvent(path, getKey(path), current.getKey(), null, json);
            return json;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes a stored object for good, as the last finalizer's removal does. */
    private void remove(String path) {
        ResourcePath target = ResourcePath.parse(path).orElseThrow();
        lock.writeLock().lock();
        try {
            Map.Entry<AttributeSet, String> current = store.find(target.resource(), target.group(), target.namespace(),
                    target.name());
            if (current != null) {
                processEvent(path, getKey(path), current.getKey(), null, null);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Deletes an object as a DELETE request does: at once, or marked while finalizers remain. */
    private void deleteObject(String path) {
        store.handle(path, getAttributeExtractor(), () -> handleDelete(path));
    }

    private static String objectPath(AttributeSet key) {
        return ResourcePath.objectPath(Objects.requireNonNullElse(value(key, GROUP), CORE), value(key, VERSION),
                Objects.requireNonNullElse(value(key, NAMESPACE), ""), value(key, PLURAL), value(key, NAME));
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /** Discovery, the version and the health checks: the paths that name no resource. */
    private MockResponse nonResource(RecordedRequest request) {
        String path = request.getPath();
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (request.method() != HttpMethod.GET) {
            throw Refusal.methodNotAllowed("the server does not allow this method on the requested resource");
        }
        if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")) {
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody("ok");
        }
        Object answer = resources.discovery(path, KUBERNETES_VERSION).orElseThrow(Refusal::notFound);
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(Serialization.asJson(answer));
    }

    private static boolean isWorkload(Resource resource) {
        return resource.group().equals("apps")
                && (resource.plural().equals("deployments") || resource.plural().equals("daemonsets"));
    }

    private static boolean isCore(Resource resource, String plural) {
        return resource.group().isEmpty() && resource.plural().equals(plural);
    }

    private static RecordedRequest withBody(RecordedRequest request, Object body) {
        String text = body instanceof JsonNode node ? Json.write(node) : (String) body;
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                request.getHeaders(), new Buffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The dispatcher's own lock, which the control plane's writes take as requests do. */
    private static ReadWriteLock lockOf(KubernetesCrudDispatcher dispatcher) {
        try {
            Field field = KubernetesCrudDispatcher.class.getDeclaredField("lock");
            field.setAccessible(true);
            return (ReadWriteLock) field.get(dispatcher);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this version of fabric8's mock server locks differently", e);
        }
    }
}
