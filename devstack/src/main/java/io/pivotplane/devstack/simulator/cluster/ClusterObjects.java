package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The objects of one cluster that its simulated internals look at, as their informers' caches would hold them, fed
 * with every change the cluster's API reports. Only the kinds in {@link #KINDS} are kept, and of CRDs only what the
 * cainjector needs ({@link CrdSummary}): a cluster's CRDs are megabytes.
 */
final class ClusterObjects {

    static final String NODE = "Node";
    static final String NAMESPACE = "Namespace";
    static final String SECRET = "Secret";
    static final String CONFIG_MAP = "ConfigMap";
    static final String SERVICE_ACCOUNT = "ServiceAccount";
    static final String SERVICE = "Service";
    static final String ENDPOINTS = "Endpoints";
    static final String DEPLOYMENT = "apps/Deployment";
    static final String DAEMON_SET = "apps/DaemonSet";
    static final String PRIORITY_CLASS = "scheduling.k8s.io/PriorityClass";
    static final String CERTIFICATE = "cert-manager.io/Certificate";
    static final String ISSUER = "cert-manager.io/Issuer";
    static final String CLUSTER_ISSUER = "cert-manager.io/ClusterIssuer";
    static final String MUTATING_WEBHOOKS = "admissionregistration.k8s.io/MutatingWebhookConfiguration";
    static final String VALIDATING_WEBHOOKS = "admissionregistration.k8s.io/ValidatingWebhookConfiguration";
    static final String API_SERVICE = "apiregistration.k8s.io/APIService";
    static final String CRD = "apiextensions.k8s.io/CustomResourceDefinition";

    /** The kinds kept, as {@code group/Kind} ({@code Kind} for the core group). */
    static final Set<String> KINDS = Set.of(NODE, NAMESPACE, SECRET, CONFIG_MAP, SERVICE_ACCOUNT, SERVICE, ENDPOINTS,
            DEPLOYMENT,
            DAEMON_SET, PRIORITY_CLASS, CERTIFICATE, ISSUER, CLUSTER_ISSUER, MUTATING_WEBHOOKS, VALIDATING_WEBHOOKS,
            API_SERVICE, CRD);

    /** What the cainjector needs of a CRD: whether it asks for a CA, from where, and the conversion webhook's now. */
    record CrdSummary(String name, Map<String, String> annotations, boolean webhookConversion, String caBundle) {
    }

    private final KubernetesSerialization serialization;
    private final Map<String, Map<String, GenericKubernetesResource>> objects = new ConcurrentHashMap<>();
    private final Map<String, CrdSummary> crds = new ConcurrentHashMap<>();
    /** Typed copies, by uid and resource version, made once per version of an object. */
    private final Map<String, Object> typed = new ConcurrentHashMap<>();

    ClusterObjects(KubernetesSerialization serialization) {
        this.serialization = serialization;
    }

    /** {@code group/Kind} of an object, {@code Kind} in the core group. */
    static String kindOf(HasMetadata object) {
        String apiVersion = Objects.requireNonNullElse(object.getApiVersion(), "");
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? object.getKind() : apiVersion.substring(0, slash) + "/" + object.getKind();
    }

    private static String key(String namespace, String name) {
        return Objects.requireNonNullElse(namespace, "") + "/" + name;
    }

    /** Takes in one change; true when it is about a kind kept here. */
    boolean apply(GenericKubernetesResource before, GenericKubernetesResource after) {
        GenericKubernetesResource object = after != null ? after : before;
        String kind = kindOf(object);
        if (!KINDS.contains(kind)) {
            return false;
        }
        String key = key(object.getMetadata().getNamespace(), object.getMetadata().getName());
        if (kind.equals(CRD)) {
            if (after == null) {
                crds.remove(key);
            } else {
                crds.put(key, summary(after));
            }
            return true;
        }
        Map<String, GenericKubernetesResource> ofKind = objects.computeIfAbsent(kind, k -> new ConcurrentHashMap<>());
        if (before != null && before.getMetadata().getUid() != null) {
            typed.keySet().removeIf(k -> k.startsWith(before.getMetadata().getUid() + "/"));
        }
        if (after == null) {
            ofKind.remove(key);
        } else {
            ofKind.put(key, after);
        }
        return true;
    }

    /** Takes in an object listed at start, unless a change has brought it already. */
    void seed(GenericKubernetesResource object) {
        String kind = kindOf(object);
        String key = key(object.getMetadata().getNamespace(), object.getMetadata().getName());
        if (kind.equals(CRD)) {
            crds.putIfAbsent(key, summary(object));
        } else if (KINDS.contains(kind)) {
            objects.computeIfAbsent(kind, k -> new ConcurrentHashMap<>()).putIfAbsent(key, object);
        }
    }

    private static CrdSummary summary(GenericKubernetesResource crd) {
        Map<String, String> annotations = Objects.requireNonNullElse(crd.getMetadata().getAnnotations(), Map.of());
        Object spec = crd.getAdditionalProperties().get("spec");
        Map<?, ?> conversion = spec instanceof Map<?, ?> s && s.get("conversion") instanceof Map<?, ?> c ? c : Map.of();
        boolean webhook = "Webhook".equals(conversion.get("strategy"));
        String caBundle = null;
        if (conversion.get("webhook") instanceof Map<?, ?> w && w.get("clientConfig") instanceof Map<?, ?> config
                && config.get("caBundle") != null) {
            caBundle = String.valueOf(config.get("caBundle"));
        }
        return new CrdSummary(crd.getMetadata().getName(), Map.copyOf(annotations), webhook, caBundle);
    }

    Collection<GenericKubernetesResource> all(String kind) {
        return List.copyOf(objects.getOrDefault(kind, Map.of()).values());
    }

    Optional<GenericKubernetesResource> get(String kind, String namespace, String name) {
        return Optional.ofNullable(objects.getOrDefault(kind, Map.of()).get(key(namespace, name)));
    }

    boolean exists(String kind, String namespace, String name) {
        return objects.getOrDefault(kind, Map.of()).containsKey(key(namespace, name));
    }

    Collection<CrdSummary> crds() {
        return List.copyOf(crds.values());
    }

    /** The objects of a kind as their model class, each converted once per version. */
    <T> List<T> all(String kind, Class<T> type) {
        List<T> result = new ArrayList<>();
        for (GenericKubernetesResource object : all(kind)) {
            result.add(as(object, type));
        }
        return result;
    }

    <T> Optional<T> get(String kind, String namespace, String name, Class<T> type) {
        return get(kind, namespace, name).map(object -> as(object, type));
    }

    /** A typed copy the caller may change: the cached one stays as the API gave it. */
    <T> T copy(GenericKubernetesResource object, Class<T> type) {
        return serialization.convertValue(object, type);
    }

    @SuppressWarnings("unchecked")
    private <T> T as(GenericKubernetesResource object, Class<T> type) {
        String key = object.getMetadata().getUid() + "/" + object.getMetadata().getResourceVersion() + "/"
                + type.getSimpleName();
        return (T) typed.computeIfAbsent(key, k -> serialization.convertValue(object, type));
    }

    /** The keys of a Secret's or ConfigMap's data. */
    static Set<String> dataKeys(GenericKubernetesResource object) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (String field : List.of("data", "binaryData", "stringData")) {
            if (object.getAdditionalProperties().get(field) instanceof Map<?, ?> data) {
                data.keySet().forEach(k -> keys.add(String.valueOf(k)));
            }
        }
        return keys;
    }

    /** A value of a Secret's data, decoded; of a ConfigMap's, as it is. */
    static Optional<String> dataValue(GenericKubernetesResource object, String key) {
        if (object.getAdditionalProperties().get("data") instanceof Map<?, ?> data && data.get(key) != null) {
            String value = String.valueOf(data.get(key));
            if (SECRET.equals(kindOf(object))) {
                return Optional.of(new String(java.util.Base64.getDecoder().decode(value),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            return Optional.of(value);
        }
        return Optional.empty();
    }
}
