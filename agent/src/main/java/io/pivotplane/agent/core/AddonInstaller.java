package io.pivotplane.agent.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.agent.helm.ChartException;
import io.pivotplane.agent.helm.ChartRenderer;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.capi.k8s.WriteResult;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.AddonResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 6, in the workload cluster: installs an add-on the way Argo CD and Flux apply a release. It renders the
 * add-on (its chart through Helm's library, or its manifests), applies the objects in Helm's install order, removes
 * what an earlier version of the add-on applied and this one no longer has, and keeps a record of what it applied
 * (a Secret per add-on, as Helm keeps its releases), then waits until the objects are rolled out. The record is what
 * drift repair compares the cluster with, and it needs nothing from the management plane.
 */
final class AddonInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(AddonInstaller.class);
    static final String RECORD_PREFIX = "pivotplane-addon-";
    static final String ADDON_LABEL = "pivotplane.io/addon";
    static final String RECORD_LABEL = "pivotplane.io/record";
    static final String RECORD_TYPE = "pivotplane.io/addon-release";
    /**
     * Helm's annotation for what an uninstall or upgrade leaves in place; Helm never deletes a chart's CRDs (their
     * custom resources would go with them), so the agent gives it to them.
     */
    static final String RESOURCE_POLICY = "helm.sh/resource-policy";
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Duration POLL = Duration.ofSeconds(1);

    /** Helm's install order ({@code pkg/releaseutil/kind_sorter.go}); kinds it does not name go last. */
    private static final List<String> INSTALL_ORDER = List.of("PriorityClass", "Namespace", "NetworkPolicy",
            "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret",
            "SecretList", "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
            "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
            "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet",
            "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet",
            "Job", "CronJob", "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration");

    /** Something the agent put back: an object of an installed add-on that was deleted or changed. */
    record Repair(String addon, List<String> objects) {
    }

    private final KubernetesClient client;
    private final ChartRenderer charts;
    private final Map<String, Boolean> namespacedKinds = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> busy = new ConcurrentHashMap<>();

    AddonInstaller(KubernetesClient client, ChartRenderer charts) {
        this.client = client;
        this.charts = charts;
    }

    AddonResult install(Addon addon) {
        ReentrantLock lock = busy.computeIfAbsent(addon.name(), name -> new ReentrantLock());
        lock.lock();
        try {
            Instant deadline = Instant.now().plusSeconds(addon.readyTimeoutSeconds());
            List<GenericKubernetesResource> objects = render(addon);
            apply(objects, deadline);
            List<String> removed = prune(addon.name(), objects);
            record(addon, objects);
            Optional<Readiness.NotReady> notReady = awaitReady(objects, deadline);
            if (notReady.isPresent()) {
                String why = notReady.get().failed() ? notReady.get().reason()
                        : "not ready within " + addon.readyTimeoutSeconds() + " s: " + notReady.get().reason();
                LOG.warn("Add-on {} failed: {}", addon.name(), why);
                return new AddonResult(addon.name(), AddonResult.State.FAILED, why);
            }
            LOG.info("Add-on {} installed and ready: {} object(s){}", addon.name(), objects.size(),
                    removed.isEmpty() ? "" : ", removed " + removed);
            return new AddonResult(addon.name(), AddonResult.State.INSTALLED, objects.size()
                    + " object(s) applied and ready" + (removed.isEmpty() ? "" : ", " + removed.size()
                    + " of an earlier version removed") + " at " + Instant.now());
        } catch (ChartException e) {
            LOG.warn("Add-on {} failed: {}", addon.name(), e.getMessage());
            return new AddonResult(addon.name(), AddonResult.State.FAILED, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Add-on {} failed: {}", addon.name(), e.toString());
            return new AddonResult(addon.name(), AddonResult.State.FAILED, describe(e));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Compares every installed add-on's objects with what runs and puts back what was deleted or changed. An add-on
     * being installed right now is left to its install.
     */
    List<Repair> repairDrift() {
        List<Repair> repairs = new ArrayList<>();
        for (Secret record : client.secrets().inNamespace(AgentManifests.NAMESPACE)
                .withLabel(RECORD_LABEL, "addon").list().getItems()) {
            String addon = record.getMetadata().getLabels().get(ADDON_LABEL);
            ReentrantLock lock = busy.computeIfAbsent(addon, name -> new ReentrantLock());
            if (!lock.tryLock()) {
                continue;
            }
            try {
                // the list above may be older than an uninstall that held the lock: only what is still recorded
                Secret current = client.secrets().inNamespace(AgentManifests.NAMESPACE)
                        .withName(record.getMetadata().getName()).get();
                if (current == null) {
                    continue;
                }
                List<String> repaired = new ArrayList<>();
                for (GenericKubernetesResource applied : recordedObjects(current)) {
                    describeRepair(applied).ifPresent(repaired::add);
                }
                if (!repaired.isEmpty()) {
                    LOG.info("Add-on {} drifted; put back: {}", addon, repaired);
                    repairs.add(new Repair(addon, repaired));
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not compare add-on {} with its cluster: {}", addon, describe(e));
            } finally {
                lock.unlock();
            }
        }
        return repairs;
    }

    /** The kinds ({@code apiVersion/kind}) of what the installed add-ons applied: what drift can happen to. */
    Set<String> recordedKinds() {
        Set<String> kinds = new java.util.TreeSet<>();
        for (Secret record : client.secrets().inNamespace(AgentManifests.NAMESPACE)
                .withLabel(RECORD_LABEL, "addon").list().getItems()) {
            recordedObjects(record).forEach(object -> kinds.add(object.getApiVersion() + "/" + object.getKind()));
        }
        return kinds;
    }

    private Optional<String> describeRepair(GenericKubernetesResource applied) {
        GenericKubernetesResource live = client.resource(applied).get();
        String name = applied.getKind() + " " + qualifiedName(applied);
        if (live == null) {
            DesiredState.ensure(client, applied);
            return Optional.of(name + " was deleted: created again");
        }
        Optional<String> changed = ObjectDrift.firstDifference(JSON.valueToTree(applied), JSON.valueToTree(live));
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        GenericKubernetesResource restored = client.getKubernetesSerialization().clone(applied);
        restored.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
        client.resource(restored).update();
        return Optional.of(name + " had " + changed.get() + " changed: put back");
    }

    private List<GenericKubernetesResource> render(Addon addon) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        String namespace;
        if (addon.chart() != null) {
            namespace = addon.chart().namespace();
            DesiredState.ensure(client, new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build());
            ChartRenderer.Rendered rendered = charts.render(addon.chart(), addon.name(), namespace);
            for (String crds : rendered.crds()) {
                for (GenericKubernetesResource crd : parse(crds)) {
                    annotations(crd).put(RESOURCE_POLICY, "keep");
                    objects.add(crd);
                }
            }
            rendered.templates().forEach(document -> objects.addAll(parse(document)));
        } else {
            namespace = "default";
            addon.manifests().forEach(document -> objects.addAll(parse(document)));
        }
        Map<String, Boolean> scopeOfNewKinds = new ConcurrentHashMap<>();
        for (GenericKubernetesResource object : objects) {
            if ("CustomResourceDefinition".equals(object.getKind())) {
                JsonNode spec = JSON.valueToTree(object.getAdditionalProperties().get("spec"));
                for (JsonNode version : spec.path("versions")) {
                    scopeOfNewKinds.put(spec.path("group").asText() + "/" + version.path("name").asText() + "/"
                            + spec.path("names").path("kind").asText(), "Namespaced".equals(spec.path("scope")
                            .asText("Namespaced")));
                }
            }
        }
        for (GenericKubernetesResource object : objects) {
            object.getMetadata().getLabels().put(ADDON_LABEL, addon.name());
            if (object.getMetadata().getNamespace() == null && namespaced(object, scopeOfNewKinds)) {
                object.getMetadata().setNamespace(namespace);
            }
        }
        objects.sort(Comparator.comparingInt(AddonInstaller::installRank));
        return objects;
    }

    private static List<GenericKubernetesResource> parse(String document) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        try (var values = YAML.readerFor(GenericKubernetesResource.class).<GenericKubernetesResource>readValues(
                document)) {
            while (values.hasNext()) {
                GenericKubernetesResource object = values.next();
                if (object == null || object.getKind() == null) {
                    continue;
                }
                if (object.getMetadata() == null || object.getMetadata().getName() == null) {
                    throw new IllegalArgumentException("a " + object.getKind() + " of the add-on has no name");
                }
                if (object.getMetadata().getLabels() == null) {
                    object.getMetadata().setLabels(new java.util.HashMap<>());
                }
                objects.add(object);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the add-on's YAML does not parse: " + e.getMessage(), e);
        }
        return objects;
    }

    /** Whether objects of the kind live in a namespace: from the API's discovery, or from a CRD of the same add-on. */
    private boolean namespaced(GenericKubernetesResource object, Map<String, Boolean> scopeOfNewKinds) {
        String key = object.getApiVersion() + "/" + object.getKind();
        Boolean fromAddon = scopeOfNewKinds.get(key);
        if (fromAddon != null) {
            return fromAddon;
        }
        return namespacedKinds.computeIfAbsent(key, k -> {
            APIResourceList resources = client.getApiResources(object.getApiVersion());
            if (resources == null) {
                return true;
            }
            return resources.getResources().stream().filter(r -> object.getKind().equals(r.getKind()))
                    .findFirst().map(APIResource::getNamespaced).orElse(true);
        });
    }

    private static int installRank(GenericKubernetesResource object) {
        int rank = INSTALL_ORDER.indexOf(object.getKind());
        return rank < 0 ? INSTALL_ORDER.size() : rank;
    }

    /**
     * Applies each object, in order. A custom resource whose CRD the add-on has just created is not served for a
     * moment (the CRD is not Established yet): it is tried again until the add-on's deadline.
     */
    private void apply(List<GenericKubernetesResource> objects, Instant deadline) {
        for (GenericKubernetesResource object : objects) {
            while (true) {
                try {
                    WriteResult result = DesiredState.ensure(client, object);
                    LOG.debug("{} {}: {}", object.getKind(), qualifiedName(object), result);
                    break;
                } catch (KubernetesClientException e) {
                    boolean notServedYet = e.getCode() == HttpURLConnection.HTTP_NOT_FOUND || e.getCode() == 0;
                    if (!notServedYet || Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("cannot apply " + object.getKind() + " "
                                + qualifiedName(object) + ": " + describe(e), e);
                    }
                    pause();
                }
            }
        }
    }

    /** Deletes what the add-on's earlier version applied and this one does not. */
    private List<String> prune(String addon, List<GenericKubernetesResource> objects) {
        Secret record = client.secrets().inNamespace(AgentManifests.NAMESPACE).withName(RECORD_PREFIX + addon).get();
        if (record == null) {
            return List.of();
        }
        Set<String> kept = new LinkedHashSet<>();
        objects.forEach(object -> kept.add(identity(object)));
        List<String> removed = new ArrayList<>();
        List<GenericKubernetesResource> earlier = new ArrayList<>(recordedObjects(record));
        java.util.Collections.reverse(earlier);
        for (GenericKubernetesResource old : earlier) {
            if (!kept.contains(identity(old)) && !keep(old)) {
                client.resource(old).delete();
                removed.add(old.getKind() + " " + qualifiedName(old));
            }
        }
        return removed;
    }

    /**
     * Uninstalls the add-on: deletes what it applied, in the reverse of the install order, but what Helm would keep
     * (its chart's CRDs, objects annotated {@code helm.sh/resource-policy: keep}), then its record.
     */
    AddonResult uninstall(Addon addon) {
        ReentrantLock lock = busy.computeIfAbsent(addon.name(), name -> new ReentrantLock());
        lock.lock();
        try {
            Secret record = client.secrets().inNamespace(AgentManifests.NAMESPACE)
                    .withName(RECORD_PREFIX + addon.name()).get();
            if (record == null) {
                return new AddonResult(addon.name(), AddonResult.State.REMOVED,
                        "nothing recorded in this cluster: nothing to remove");
            }
            List<GenericKubernetesResource> objects = new ArrayList<>(recordedObjects(record));
            java.util.Collections.reverse(objects);
            List<String> kept = new ArrayList<>();
            int deleted = 0;
            for (GenericKubernetesResource object : objects) {
                if (keep(object)) {
                    kept.add(object.getKind() + " " + qualifiedName(object));
                } else {
                    client.resource(object).delete();
                    deleted++;
                }
            }
            client.resource(record).delete();
            LOG.info("Add-on {} uninstalled: {} object(s) deleted, kept {}", addon.name(), deleted, kept);
            return new AddonResult(addon.name(), AddonResult.State.REMOVED, deleted + " object(s) deleted"
                    + (kept.isEmpty() ? "" : ", kept as Helm keeps them: " + String.join(", ", kept)));
        } catch (RuntimeException e) {
            LOG.warn("Add-on {} could not be uninstalled: {}", addon.name(), e.toString());
            return new AddonResult(addon.name(), AddonResult.State.FAILED, describe(e));
        } finally {
            lock.unlock();
        }
    }

    private static boolean keep(GenericKubernetesResource object) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        return annotations != null && "keep".equals(annotations.get(RESOURCE_POLICY));
    }

    private static Map<String, String> annotations(GenericKubernetesResource object) {
        if (object.getMetadata().getAnnotations() == null) {
            object.getMetadata().setAnnotations(new java.util.HashMap<>());
        }
        return object.getMetadata().getAnnotations();
    }

    private void record(Addon addon, List<GenericKubernetesResource> objects) {
        StringBuilder manifest = new StringBuilder();
        for (GenericKubernetesResource object : objects) {
            manifest.append("---\n").append(client.getKubernetesSerialization().asYaml(object)
                    .replaceFirst("^---\n", ""));
        }
        DesiredState.ensure(client, new SecretBuilder().withNewMetadata().withName(RECORD_PREFIX + addon.name())
                .withNamespace(AgentManifests.NAMESPACE)
                .addToLabels(ADDON_LABEL, addon.name()).addToLabels(RECORD_LABEL, "addon")
                .endMetadata()
                .withType(RECORD_TYPE)
                .addToData("layer", base64(addon.layer()))
                .addToData("version", base64(addon.version() == null ? "" : addon.version()))
                .addToData("manifest.gz", Base64.getEncoder().encodeToString(gzip(manifest.toString())))
                .build());
    }

    private static List<GenericKubernetesResource> recordedObjects(Secret record) {
        String encoded = record.getData() == null ? null : record.getData().get("manifest.gz");
        if (encoded == null) {
            return List.of();
        }
        return parse(gunzip(Base64.getDecoder().decode(encoded)));
    }

    private Optional<Readiness.NotReady> awaitReady(List<GenericKubernetesResource> objects, Instant deadline) {
        while (true) {
            Optional<Readiness.NotReady> first = Optional.empty();
            for (GenericKubernetesResource object : objects) {
                GenericKubernetesResource live = client.resource(object).get();
                Optional<Readiness.NotReady> notReady = live == null
                        ? Optional.of(new Readiness.NotReady(object.getKind() + " " + qualifiedName(object)
                        + " is gone", false))
                        : Readiness.of(JSON.valueToTree(live));
                if (notReady.isPresent()) {
                    first = notReady;
                    break;
                }
            }
            if (first.isEmpty() || first.get().failed() || Instant.now().isAfter(deadline)) {
                return first;
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: the agent is stopping", e);
        }
    }

    private static String identity(GenericKubernetesResource object) {
        String apiVersion = object.getApiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return group + "/" + object.getKind() + "/" + qualifiedName(object);
    }

    private static String qualifiedName(GenericKubernetesResource object) {
        String namespace = object.getMetadata().getNamespace();
        return namespace == null ? object.getMetadata().getName() : namespace + "/" + object.getMetadata().getName();
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String gunzip(byte[] compressed) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("an add-on record is not readable", e);
        }
    }

    private static String describe(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root.getMessage();
    }
}
