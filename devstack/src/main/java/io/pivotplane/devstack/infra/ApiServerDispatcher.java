package io.pivotplane.devstack.infra;

import static io.pivotplane.devstack.infra.IndexedObjectStore.GROUP;
import static io.pivotplane.devstack.infra.IndexedObjectStore.NAME;
import static io.pivotplane.devstack.infra.IndexedObjectStore.NAMESPACE;
import static io.pivotplane.devstack.infra.IndexedObjectStore.PLURAL;
import static io.pivotplane.devstack.infra.IndexedObjectStore.VERSION;
import static io.pivotplane.devstack.infra.IndexedObjectStore.value;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fabric8's CRUD dispatcher made to hold what a real API server holds, where the stack depends on it: it serves only
 * the built-in kinds and those of established CRDs (404 otherwise, with discovery to match); a namespaced object needs
 * its namespace, which must not be terminating; status is a subresource wherever it is one in Kubernetes; Secrets are
 * stored as the server stores them ({@code stringData} folded into {@code data}, type defaulted, validated, immutable
 * where it is), Deployments and DaemonSets defaulted ({@link Defaults}), Services given their cluster IP, admission
 * webhooks that must be reachable ({@link AdmissionWebhooks}); and what the control plane does on its own right after a write happens too: a CRD gets established
 * (its names accepted, its stored versions recorded), a service-account token Secret gets its token (or goes, when its
 * account does not exist), deleting a namespace deletes its content and deleting a CRD its objects before they go.
 * It also keeps its objects in an {@link IndexedObjectStore} and records the requests of callers with a bearer token.
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

    private static final ObjectMapper JSON = Serialization.jsonMapper();
    private static final String BEARER = "Bearer ";
    private static final String CORE = "";
    private static final String APIEXTENSIONS = "apiextensions.k8s.io";
    private static final String CRDS = "customresourcedefinitions";
    private static final String SA_TOKEN_TYPE = "kubernetes.io/service-account-token";
    private static final String SA_NAME_ANNOTATION = "kubernetes.io/service-account.name";
    private static final String SA_UID_ANNOTATION = "kubernetes.io/service-account.uid";
    private static final String NAMESPACE_FINALIZER = "kubernetes";
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
    /** The next address the Service IP allocator hands out, in 10.96.0.0/12 (10.96.0.1 is the API server's). */
    private int nextServiceIp = 10;
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
        // the API server's own Service, which every cluster has in default
        bootstrap("/api/v1/namespaces/default/services", "{\"apiVersion\":\"v1\",\"kind\":\"Service\","
                + "\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"default\",\"labels\":{\"component\":"
                + "\"apiserver\",\"provider\":\"kubernetes\"}},\"spec\":{\"clusterIP\":\"10.96.0.1\",\"ports\":["
                + "{\"name\":\"https\",\"port\":443,\"protocol\":\"TCP\",\"targetPort\":6443}]}}");
        bootstrap("/api/v1/namespaces/default/endpoints", "{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\","
                + "\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"default\"},\"subsets\":[{\"addresses\":"
                + "[{\"ip\":\"10.0.0.1\"}],\"ports\":[{\"name\":\"https\",\"port\":6443,\"protocol\":\"TCP\"}]}]}");
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
        MockResponse response = dispatch(request(HttpMethod.POST, path, body));
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
        } catch (Refused refused) {
            response = refused.response;
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
                .orElseThrow(ApiServerDispatcher::notFound);
        boolean inNamespace = !target.namespace().isEmpty();
        if (!resource.namespaced() && inNamespace
                || resource.namespaced() && !inNamespace && (target.named() || request.method() == HttpMethod.POST)) {
            throw notFound();
        }
        if (request.method() == HttpMethod.POST || request.method() == HttpMethod.PUT
                || request.method() == HttpMethod.PATCH || request.method() == HttpMethod.DELETE) {
            String body = request.getBody() == null ? "" : request.getBody().readUtf8();
            request = withBody(request, body);
            admitThroughWebhooks(request.method(), target, resource, body);
        }
        return switch (request.method()) {
            case POST -> create(request, target, resource);
            case PUT -> update(request, target, resource);
            case DELETE -> delete(request, target, resource);
            default -> stored(request);
        };
    }

    /** The admission webhooks that match the request must be reachable (see {@link AdmissionWebhooks}). */
    private void admitThroughWebhooks(HttpMethod method, ResourcePath target, Resource resource, String body) {
        if (method == HttpMethod.DELETE && !target.named()) {
            return;
        }
        Map.Entry<AttributeSet, String> current = target.named()
                ? store.find(resource.plural(), resource.group(), target.namespace(), target.name()) : null;
        JsonNode old = current == null ? null : parse(current.getValue());
        JsonNode object = method == HttpMethod.POST || method == HttpMethod.PUT ? parse(body) : null;
        String operation = switch (method) {
            case POST -> "CREATE";
            case DELETE -> "DELETE";
            default -> "UPDATE";
        };
        if (method == HttpMethod.PATCH) {
            object = old;
        }
        webhooks.refusal(operation, target, resource, object, method == HttpMethod.POST ? null : old,
                        (plural, namespace, name) -> {
                            Map.Entry<AttributeSet, String> found = store.find(plural, CORE, namespace, name);
                            return found == null ? null : parse(found.getValue());
                        })
                .ifPresent(message -> {
                    throw new Refused(HttpURLConnection.HTTP_INTERNAL_ERROR, "InternalError",
                            "Internal error occurred: " + message, null, null);
                });
    }

    /** Handles the request as fabric8's dispatcher does, its scans limited to the objects it is about. */
    private MockResponse stored(RecordedRequest request) {
        return store.handle(request.getPath(), getAttributeExtractor(), () -> super.dispatch(request));
    }

    private MockResponse create(RecordedRequest request, ResourcePath target, Resource resource) {
        if (resource.namespaced()) {
            if (!namespaces.contains(target.namespace())) {
                throw new Refused(HttpURLConnection.HTTP_NOT_FOUND, "NotFound",
                        "namespaces \"" + target.namespace() + "\" not found", target.namespace(), "namespaces");
            }
            if (terminatingNamespaces.contains(target.namespace())) {
                throw new Refused(HttpURLConnection.HTTP_FORBIDDEN, "Forbidden", "unable to create new content in "
                        + "namespace " + target.namespace() + " because it is being terminated", null, null);
            }
        }
        if (terminatingCrds.contains(resource.plural() + "." + resource.group())) {
            throw new Refused(HttpURLConnection.HTTP_BAD_METHOD, "MethodNotAllowed",
                    "create not allowed while custom resource definition is terminating", null, null);
        }
        if (isCore(resource, "secrets")) {
            ObjectNode secret = parse(request.getBody().readUtf8());
            return stored(withBody(request, normalizedSecret(secret, null)));
        }
        if (isCore(resource, "services")) {
            return stored(withBody(request, normalizedService(parse(request.getBody().readUtf8()), null)));
        }
        if (isWorkload(resource)) {
            ObjectNode workload = parse(request.getBody().readUtf8());
            Defaults.workload(workload, resource.plural().equals("deployments"));
            return stored(withBody(request, workload));
        }
        if (isCore(resource, "namespaces")) {
            ObjectNode namespace = parse(request.getBody().readUtf8());
            labelNamespace(namespace);
            // the namespace strategy: finalized by the namespace controller, active from the start
            namespace.putObject("spec").putArray("finalizers").add(NAMESPACE_FINALIZER);
            namespace.putObject("status").put("phase", "Active");
            return stored(withBody(request, namespace));
        }
        return stored(request);
    }

    private MockResponse update(RecordedRequest request, ResourcePath target, Resource resource) {
        String body = request.getBody().readUtf8();
        Map.Entry<AttributeSet, String> current = store.find(resource.plural(), resource.group(), target.namespace(),
                target.name());
        if (current == null) {
            return stored(withBody(request, body));
        }
        ObjectNode object = parse(body);
        if (target.isStatus()) {
            // fabric8 takes a status update with a stale resourceVersion; a real server answers 409
            String version = object.path("metadata").path("resourceVersion").asText("");
            String currentVersion = parse(current.getValue()).path("metadata").path("resourceVersion").asText();
            if (!version.isEmpty() && !version.equals(currentVersion)) {
                throw conflict(resource, target.name());
            }
            return stored(withBody(request, body));
        }
        if (isCore(resource, "secrets")) {
            return stored(withBody(request, normalizedSecret(object, parse(current.getValue()))));
        }
        if (isCore(resource, "services") && target.subresource().isEmpty()) {
            return stored(withBody(request, normalizedService(object, parse(current.getValue()))));
        }
        if (isWorkload(resource) && target.subresource().isEmpty()) {
            Defaults.workload(object, resource.plural().equals("deployments"));
            return stored(withBody(request, object));
        }
        if (isCore(resource, "namespaces") && target.subresource().isEmpty()) {
            labelNamespace(object);
            // only the namespace controller changes spec.finalizers, through /finalize
            object.set("spec", parse(current.getValue()).path("spec").deepCopy());
            return stored(withBody(request, object));
        }
        return stored(withBody(request, body));
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

    /**
     * The namespace's lifecycle: deleting it marks it Terminating; the namespace controller deletes everything in it,
     * and the namespace goes once nothing is left (objects with finalizers keep it until they are gone).
     */
    private MockResponse deleteNamespace(RecordedRequest request, String name) {
        Map.Entry<AttributeSet, String> current = store.find("namespaces", CORE, "", name);
        if (current == null) {
            return stored(request);
        }
        ObjectNode namespace = parse(current.getValue());
        if (terminatingNamespaces.contains(name)) {
            throw new Refused(HttpURLConnection.HTTP_CONFLICT, "Conflict", "Operation cannot be fulfilled on "
                    + "namespaces \"" + name + "\": The system is ensuring all content is removed from this namespace. "
                    + " Upon completion, this namespace will automatically be purged by the system.", name,
                    "namespaces");
        }
        if (namespace.path("spec").path("finalizers").isEmpty()) {
            return stored(request);
        }
        terminatingNamespaces.add(name);
        String path = ResourcePath.objectPath(CORE, "v1", "", "namespaces", name);
        String marked = rewrite(path, object -> {
            ((ObjectNode) object.get("metadata")).put("deletionTimestamp", now());
            object.putObject("status").put("phase", "Terminating");
            return object;
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
        String path = ResourcePath.objectPath(APIEXTENSIONS, "v1", "", CRDS, name);
        String marked = rewrite(path, crd -> {
            ObjectNode metadata = (ObjectNode) crd.get("metadata");
            metadata.put("deletionTimestamp", now());
            metadata.putArray("finalizers").add(CRD_FINALIZER);
            setCondition(crd, "Terminating", "InstanceDeletionPending",
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
     * Every write ends here, under the dispatcher's lock: what the API server and its controllers do with the object
     * as it is stored, and what they do once the request is answered.
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
            if (group.equals(APIEXTENSIONS) && plural.equals(CRDS)) {
                after = established(after);
                stored = null;
            } else if (group.equals(AdmissionWebhooks.GROUP) && plural.endsWith("webhookconfigurations")) {
                ObjectNode configuration = parse(after);
                webhooks.configured(plural, configuration.path("metadata").path("name").asText(), configuration);
            } else if (group.equals(CORE) && plural.equals("namespaces")) {
                namespaces.add(parse(after).path("metadata").path("name").asText());
            } else if (group.equals(CORE) && plural.equals("nodes") && oldAttributes != null) {
                ObjectNode previous = previous(oldAttributes);
                String providerId = previous == null ? "" : previous.path("spec").path("providerID").asText("");
                if (!providerId.isEmpty()
                        && !providerId.equals(parse(after).path("spec").path("providerID").asText(""))) {
                    throw invalid("Node", value(oldAttributes, NAME), List.of("spec.providerID: Forbidden: node "
                            + "updates may not change providerID except from \"\" to valid"));
                }
            } else if (group.equals(CORE) && plural.equals("configmaps") && oldAttributes != null) {
                ObjectNode previous = previous(oldAttributes);
                if (previous != null) {
                    refuseImmutableChange("ConfigMap", parse(after), previous, "data", "binaryData");
                }
            } else if (group.equals(CORE) && plural.equals("secrets")) {
                // every write, patches too, is stored normalized and validated against what it replaces
                ObjectNode secret = normalizedSecret(parse(after), previous(oldAttributes));
                after = json(secret);
                stored = null;
                if (needsToken(secret)) {
                    String objectPath = ResourcePath.objectPath(CORE, "v1", secret.path("metadata").path("namespace")
                            .asText(), "secrets", secret.path("metadata").path("name").asText());
                    followUps.get().add(() -> populateToken(objectPath));
                }
            }
        } else if (oldAttributes != null) {
            String name = value(oldAttributes, NAME);
            String namespace = value(oldAttributes, NAMESPACE);
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
        super.processEvent(path, pathAttributes, oldAttributes, stored, after);
        if (listener != null && !Objects.equals(before, after)) {
            listener.changed(before, after);
        }
    }

    private ObjectNode previous(AttributeSet oldAttributes) {
        String json = oldAttributes == null ? null : store.get(oldAttributes);
        return json == null ? null : parse(json);
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
     * The CRD as the apiextensions server defaults it and its controllers establish it: names defaulted and accepted,
     * the storage version recorded, conditions NamesAccepted and Established true. Its kind is served from now on.
     */
    private String established(String json) {
        ObjectNode crd = parse(json);
        ObjectNode spec = (ObjectNode) crd.path("spec");
        ObjectNode names = (ObjectNode) spec.path("names");
        String kind = names.path("kind").asText();
        if (!names.hasNonNull("singular")) {
            names.put("singular", kind.toLowerCase());
        }
        if (!names.hasNonNull("listKind")) {
            names.put("listKind", kind + "List");
        }
        if (!spec.has("conversion")) {
            spec.putObject("conversion").put("strategy", "None");
        }
        String group = spec.path("group").asText();
        boolean namespaced = "Namespaced".equals(spec.path("scope").asText());
        List<Resource> served = new ArrayList<>();
        String storageVersion = null;
        for (JsonNode version : spec.path("versions")) {
            if (version.path("storage").asBoolean()) {
                storageVersion = version.path("name").asText();
            }
            if (version.path("served").asBoolean()) {
                served.add(new Resource(group, version.path("name").asText(), names.path("plural").asText(),
                        names.path("singular").asText(), kind, namespaced,
                        version.path("subresources").has("status") ? ApiResources.Status.SUBRESOURCE
                                : ApiResources.Status.NONE));
            }
        }
        resources.serve(crd.path("metadata").path("name").asText(), served);
        ObjectNode status = crd.has("status") && crd.get("status").isObject() ? (ObjectNode) crd.get("status")
                : crd.putObject("status");
        status.set("acceptedNames", names.deepCopy());
        ArrayNode storedVersions = status.has("storedVersions") ? (ArrayNode) status.get("storedVersions")
                : status.putArray("storedVersions");
        if (storageVersion != null && storedVersionsMissing(storedVersions, storageVersion)) {
            storedVersions.add(storageVersion);
        }
        setCondition(crd, "NamesAccepted", "NoConflicts", "no conflicts found");
        setCondition(crd, "Established", "InitialNamesAccepted", "the initial names have been accepted");
        return json(crd);
    }

    private static boolean storedVersionsMissing(ArrayNode storedVersions, String version) {
        for (JsonNode stored : storedVersions) {
            if (stored.asText().equals(version)) {
                return false;
            }
        }
        return true;
    }

    /** Sets a True condition in {@code status.conditions}, keeping its transition time when it was True already. */
    private static void setCondition(ObjectNode object, String type, String reason, String message) {
        ObjectNode status = object.has("status") && object.get("status").isObject() ? (ObjectNode) object.get("status")
                : object.putObject("status");
        ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
        String since = now();
        for (Iterator<JsonNode> it = conditions.elements(); it.hasNext(); ) {
            JsonNode condition = it.next();
            if (type.equals(condition.path("type").asText())) {
                if ("True".equals(condition.path("status").asText())) {
                    since = condition.path("lastTransitionTime").asText(since);
                }
                it.remove();
            }
        }
        conditions.addObject().put("type", type).put("status", "True").put("reason", reason).put("message", message)
                .put("lastTransitionTime", since);
    }

    // --- Services and Namespaces ------------------------------------------------------------------------------------

    /**
     * A Service as the API server stores it: type ClusterIP, a cluster IP allocated (or kept from before when an update
     * leaves it out, as {@code patchAllocatedValues} does), and the defaults of its ports and policies.
     */
    private synchronized ObjectNode normalizedService(ObjectNode service, ObjectNode current) {
        ObjectNode spec = service.has("spec") && service.get("spec").isObject() ? (ObjectNode) service.get("spec")
                : service.putObject("spec");
        if (!spec.hasNonNull("type")) {
            spec.put("type", "ClusterIP");
        }
        if (!spec.hasNonNull("sessionAffinity")) {
            spec.put("sessionAffinity", "None");
        }
        if (!"ExternalName".equals(spec.get("type").asText())) {
            String clusterIp = spec.path("clusterIP").asText("");
            JsonNode currentSpec = current == null ? null : current.path("spec");
            if (clusterIp.isEmpty() && currentSpec != null && !currentSpec.path("clusterIP").asText("").isEmpty()) {
                clusterIp = currentSpec.path("clusterIP").asText();
            } else if (clusterIp.isEmpty()) {
                clusterIp = "10.96." + (nextServiceIp / 250) + "." + (nextServiceIp % 250 + 1);
                nextServiceIp++;
            }
            spec.put("clusterIP", clusterIp);
            spec.putArray("clusterIPs").add(clusterIp);
            if (!clusterIp.equals("None")) {
                spec.putArray("ipFamilies").add("IPv4");
                spec.put("ipFamilyPolicy", "SingleStack");
            }
            if (!spec.hasNonNull("internalTrafficPolicy")) {
                spec.put("internalTrafficPolicy", "Cluster");
            }
        }
        for (JsonNode port : spec.path("ports")) {
            ObjectNode servicePort = (ObjectNode) port;
            if (!servicePort.hasNonNull("protocol")) {
                servicePort.put("protocol", "TCP");
            }
            if (!servicePort.hasNonNull("targetPort")) {
                servicePort.set("targetPort", servicePort.get("port"));
            }
        }
        return service;
    }

    /** Every namespace carries its name as label {@code kubernetes.io/metadata.name}, set by the API server. */
    private static void labelNamespace(ObjectNode namespace) {
        ObjectNode metadata = (ObjectNode) namespace.path("metadata");
        (metadata.has("labels") && metadata.get("labels").isObject() ? (ObjectNode) metadata.get("labels")
                : metadata.putObject("labels")).put("kubernetes.io/metadata.name", metadata.path("name").asText());
    }

    // --- Secrets -----------------------------------------------------------------------------------------------------

    /**
     * A Secret as the API server stores it: {@code stringData} folded into {@code data}, type {@code Opaque} unless
     * given, validated for its type; on update, its type and (when {@code immutable}) its data unchanged.
     */
    private static ObjectNode normalizedSecret(ObjectNode secret, ObjectNode current) {
        ObjectNode data = secret.has("data") && secret.get("data").isObject() ? (ObjectNode) secret.get("data")
                : secret.putObject("data");
        JsonNode stringData = secret.remove("stringData");
        if (stringData != null) {
            stringData.fields().forEachRemaining(entry -> data.put(entry.getKey(), Base64.getEncoder()
                    .encodeToString(entry.getValue().asText().getBytes(StandardCharsets.UTF_8))));
        }
        if (!secret.hasNonNull("type") || secret.get("type").asText().isEmpty()) {
            secret.put("type", "Opaque");
        }
        String name = secret.path("metadata").path("name").asText();
        String type = secret.get("type").asText();
        List<String> invalid = new ArrayList<>();
        if (type.equals(SA_TOKEN_TYPE)
                && secret.path("metadata").path("annotations").path(SA_NAME_ANNOTATION).asText("").isEmpty()) {
            invalid.add("metadata.annotations[" + SA_NAME_ANNOTATION + "]: Required value");
        }
        if (type.equals("kubernetes.io/tls")) {
            for (String key : List.of("tls.crt", "tls.key")) {
                if (!data.has(key)) {
                    invalid.add("data[" + key + "]: Required value");
                }
            }
        }
        if (current != null) {
            if (!type.equals(current.path("type").asText("Opaque"))) {
                invalid.add("type: Invalid value: \"" + type + "\": field is immutable");
            }
            refuseImmutableChange("Secret", secret, current, "data");
        }
        if (!invalid.isEmpty()) {
            throw invalid("Secret", name, invalid);
        }
        return secret;
    }

    private static void refuseImmutableChange(String kind, ObjectNode object, ObjectNode current, String... fields) {
        if (!current.path("immutable").asBoolean(false)) {
            return;
        }
        for (String field : fields) {
            if (!Objects.equals(object.get(field), current.get(field))) {
                throw invalid(kind, object.path("metadata").path("name").asText(),
                        List.of(field + ": Forbidden: field is immutable when `immutable` is set"));
            }
        }
    }

    private static boolean needsToken(ObjectNode secret) {
        JsonNode data = secret.path("data");
        return SA_TOKEN_TYPE.equals(secret.path("type").asText())
                && (!data.hasNonNull("token") || !data.hasNonNull("namespace") || !data.hasNonNull("ca.crt"));
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
        ObjectNode secret = parse(entry.getValue());
        JsonNode annotations = secret.path("metadata").path("annotations");
        String account = annotations.path(SA_NAME_ANNOTATION).asText();
        String accountUid = annotations.path(SA_UID_ANNOTATION).asText("");
        Map.Entry<AttributeSet, String> serviceAccount = store.find("serviceaccounts", CORE, target.namespace(),
                account);
        String uid = serviceAccount == null ? null
                : parse(serviceAccount.getValue()).path("metadata").path("uid").asText();
        if (uid == null || !accountUid.isEmpty() && !accountUid.equals(uid)) {
            LOG.debug("Deleting token Secret {}/{}: its service account {} does not exist", target.namespace(),
                    target.name(), account);
            deleteObject(path);
            return;
        }
        rewrite(path, current -> {
            if (!needsToken(current)) {
                return null;
            }
            ObjectNode data = current.has("data") && current.get("data").isObject() ? (ObjectNode) current.get("data")
                    : current.putObject("data");
            ObjectNode metadata = (ObjectNode) current.get("metadata");
            (metadata.has("annotations") ? (ObjectNode) metadata.get("annotations") : metadata.putObject("annotations"))
                    .put(SA_UID_ANNOTATION, uid);
            data.put("token", base64(token(target.namespace(), account, uid)));
            data.put("namespace", base64(target.namespace()));
            data.put("ca.crt", base64(CLUSTER_CA));
            return current;
        });
    }

    private void deleteTokensOf(String namespace, String account) {
        for (Map.Entry<AttributeSet, String> secret : store.find("secrets",
                key -> namespace.equals(value(key, NAMESPACE)))) {
            ObjectNode object = parse(secret.getValue());
            if (SA_TOKEN_TYPE.equals(object.path("type").asText()) && account.equals(object.path("metadata")
                    .path("annotations").path(SA_NAME_ANNOTATION).asText())) {
                deleteObject(objectPath(secret.getKey()));
            }
        }
    }

    /** A JWT-shaped token naming the account, as the legacy token controller issues it (unsigned here). */
    private static String token(String namespace, String account, String uid) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"RS256\",\"kid\":\"simulated\"}".getBytes(StandardCharsets.UTF_8));
        String payload = url.encodeToString(("{\"iss\":\"kubernetes/serviceaccount\",\"kubernetes.io/serviceaccount/"
                + "namespace\":\"" + namespace + "\",\"kubernetes.io/serviceaccount/service-account.name\":\"" + account
                + "\",\"kubernetes.io/serviceaccount/service-account.uid\":\"" + uid + "\",\"sub\":\"system:"
                + "serviceaccount:" + namespace + ":" + account + "\"}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".c2ltdWxhdGVk";
    }

    // --- writes of the control plane itself -------------------------------------------------------------------------

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
            ObjectNode changed = change.apply(parse(current.getValue()));
            if (changed == null) {
                return current.getValue();
            }
            ((ObjectNode) changed.get("metadata")).put("resourceVersion", String.valueOf(requestResourceVersion()));
            String json = json(changed);
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

    // --- discovery and the paths that name no resource --------------------------------------------------------------

    private MockResponse nonResource(RecordedRequest request) {
        String path = request.getPath();
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (request.method() != HttpMethod.GET) {
            throw new Refused(HttpURLConnection.HTTP_BAD_METHOD, "MethodNotAllowed",
                    "the server does not allow this method on the requested resource", null, null);
        }
        String[] segments = path.split("/");
        Object answer;
        if (path.equals("/") || path.isEmpty()) {
            answer = Map.of("paths", List.of("/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"));
        } else if (path.equals("/version")) {
            String[] numbers = KUBERNETES_VERSION.substring(1).split("\\.");
            answer = Map.of("major", numbers[0], "minor", numbers[1], "gitVersion", KUBERNETES_VERSION,
                    "gitTreeState", "clean", "goVersion", "go1.22.10", "compiler", "gc", "platform", "linux/amd64");
        } else if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")) {
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody("ok");
        } else if (path.equals("/api")) {
            answer = resources.coreVersions();
        } else if (path.equals("/api/v1")) {
            answer = resources.resources(CORE, "v1").orElseThrow();
        } else if (path.equals("/apis")) {
            answer = resources.groups();
        } else if (segments.length == 3 && segments[1].equals("apis")) {
            answer = resources.group(segments[2]).orElseThrow(ApiServerDispatcher::notFound);
        } else if (segments.length == 4 && segments[1].equals("apis")) {
            answer = resources.resources(segments[2], segments[3]).orElseThrow(ApiServerDispatcher::notFound);
        } else {
            throw notFound();
        }
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(Serialization.asJson(answer));
    }

    // --- answers -----------------------------------------------------------------------------------------------------

    /** A request answered with a Status instead of being handled. */
    private static final class Refused extends RuntimeException {

        private final transient MockResponse response;

        Refused(int code, String reason, String message, String name, String kind) {
            this(code, status(code, reason, message, name, kind, List.of()));
        }

        Refused(int code, String body) {
            super(body, null, false, false);
            this.response = new MockResponse().setResponseCode(code).setBody(body);
        }
    }

    private static String status(int code, String reason, String message, String name, String kind,
                                 List<String> causes) {
        ObjectNode status = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure").put("message", message).put("reason", reason);
        ObjectNode details = status.putObject("details");
        if (name != null) {
            details.put("name", name);
        }
        if (kind != null) {
            details.put("kind", kind);
        }
        if (!causes.isEmpty()) {
            ArrayNode array = details.putArray("causes");
            causes.forEach(cause -> {
                int colon = cause.indexOf(": ");
                array.addObject().put("reason", "FieldValueInvalid").put("message", cause.substring(colon + 2))
                        .put("field", cause.substring(0, colon));
            });
        }
        status.put("code", code);
        return json(status);
    }

    private static Refused notFound() {
        return new Refused(HttpURLConnection.HTTP_NOT_FOUND, "NotFound", "the server could not find the requested "
                + "resource", null, null);
    }

    private static Refused conflict(Resource resource, String name) {
        String qualified = resource.group().isEmpty() ? resource.plural() : resource.plural() + "." + resource.group();
        return new Refused(HttpURLConnection.HTTP_CONFLICT, "Conflict", "Operation cannot be fulfilled on " + qualified
                + " \"" + name + "\": the object has been modified; please apply your changes to the latest version "
                + "and try again", name, resource.plural());
    }

    private static Refused invalid(String kind, String name, List<String> causes) {
        String message = kind + " \"" + name + "\" is invalid: "
                + (causes.size() == 1 ? causes.get(0) : "[" + String.join(", ", causes) + "]");
        return new Refused(422, status(422, "Invalid", message, name, kind, causes));
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    private static boolean isWorkload(Resource resource) {
        return resource.group().equals("apps")
                && (resource.plural().equals("deployments") || resource.plural().equals("daemonsets"));
    }

    private static boolean isCore(Resource resource, String plural) {
        return resource.group().isEmpty() && resource.plural().equals(plural);
    }

    private static ObjectNode parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (!node.isObject()) {
                throw new Refused(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", "the body is not an object",
                        null, null);
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw new Refused(HttpURLConnection.HTTP_BAD_REQUEST, "BadRequest", "the body is not JSON: "
                    + e.getOriginalMessage(), null, null);
        }
    }

    private static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static RecordedRequest withBody(RecordedRequest request, Object body) {
        String text = body instanceof JsonNode node ? json(node) : (String) body;
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                request.getHeaders(), new Buffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static RecordedRequest request(HttpMethod method, String path, String body) {
        return new RecordedRequest("HTTP/1.1", method, path,
                Headers.builder().add("Content-Type", "application/json").build(),
                new Buffer(body.getBytes(StandardCharsets.UTF_8)));
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
