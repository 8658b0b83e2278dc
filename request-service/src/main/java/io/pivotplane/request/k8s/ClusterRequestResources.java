package io.pivotplane.request.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.request.ClusterChangeInput;
import io.pivotplane.capi.request.ClusterChangeValidator;
import io.pivotplane.capi.request.ClusterRequestCrd;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.InvalidClusterRequestException;
import io.pivotplane.request.domain.ClusterBusyException;
import io.pivotplane.request.domain.ClusterDeletedException;
import io.pivotplane.request.domain.ClusterNameConflictException;
import io.pivotplane.request.persistence.TimelineReader;
import io.pivotplane.request.domain.Caller;
import io.pivotplane.request.service.ClusterRequestService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The declarative path: a {@code ClusterRequest} resource in the management cluster becomes a cluster request
 * exactly as a POST would (same validation, same events; its uid is the idempotency key, so seeing it again after
 * a restart changes nothing), its status shows the cluster's id and stage, and deleting it deprovisions the cluster.
 * The resource carries a finalizer from the start, so a deletion made while request-service is down is found when
 * it comes back, and the resource goes only once its cluster is deleted.
 */
@ApplicationScoped
public class ClusterRequestResources {

    private static final Logger LOG = Logger.getLogger(ClusterRequestResources.class);
    private static final List<String> FINAL = List.of("Deleted", ClusterRequestCrd.STAGE_INVALID);
    static final String FINALIZER = "pivotplane.io/cluster-request";
    static final String LEASE = "pivotplane-cluster-requests";
    /** The field a refusal names when the profile a request names is not stored (yet). */
    static final String PROFILE_NOT_STORED = "profile";
    /** How often a request looks again for the profile it names while that is not stored. */
    static final Duration PROFILE_WAIT = Duration.ofSeconds(3);
    /** How often an edit of a cluster that does not run yet is tried again. */
    static final Duration CHANGE_WAIT = Duration.ofSeconds(10);
    static final String CHANGE_WAITS = "change waits: ";

    private final KubernetesClient client;
    private final ClusterRequestService service;
    private final ClusterProfileResources profileResources;
    private final TimelineReader reader;
    private final boolean enabled;
    private final Duration syncInterval;
    private final ExecutorService admissions = Executors.newSingleThreadExecutor(r -> new Thread(r, "cluster-requests"));
    private final ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "cluster-requests-status"));
    private final String leaseNamespace;
    private volatile SharedIndexInformer<GenericKubernetesResource> informer;
    private volatile java.util.concurrent.ScheduledFuture<?> syncing;
    private LeaderOnly leader;

    public ClusterRequestResources(KubernetesClient client, ClusterRequestService service,
                                   ClusterProfileResources profileResources, TimelineReader reader,
                                   @ConfigProperty(name = "pivotplane.cluster-requests.enabled") boolean enabled,
                                   @ConfigProperty(name = "pivotplane.cluster-requests.status-interval",
                                           defaultValue = "1s") Duration syncInterval,
                                   @ConfigProperty(name = "pivotplane.cluster-requests.lease-namespace",
                                           defaultValue = "pivotplane") String leaseNamespace) {
        this.client = client;
        this.service = service;
        this.profileResources = profileResources;
        this.reader = reader;
        this.enabled = enabled;
        this.syncInterval = syncInterval;
        this.leaseNamespace = leaseNamespace;
    }

    /** Watches the resources on the replica that holds the lease {@code pivotplane-cluster-requests}, one at a time. */
    void start(@Observes StartupEvent startup) {
        if (!enabled) {
            LOG.info("ClusterRequest resources are not watched (pivotplane.cluster-requests.enabled=false)");
            return;
        }
        String identity = System.getenv().getOrDefault("HOSTNAME", "request-service") + "-"
                + java.util.UUID.randomUUID().toString().substring(0, 8);
        leader = new LeaderOnly(client, leaseNamespace, LEASE, identity, LeaderOnly.Timing.CONTROLLERS, this::watch,
                this::unwatch);
        leader.start();
    }

    private synchronized void watch() {
        // the profiles first: a request that names one may arrive together with it
        profileResources.watch();
        informer = client.genericKubernetesResources(ClusterRequestCrd.API_VERSION, ClusterRequestCrd.KIND)
                .inAnyNamespace().inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource resource) {
                        admissions.execute(() -> reconcile(resource));
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource resource) {
                        admissions.execute(() -> reconcile(resource));
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource resource, boolean deletedFinalStateUnknown) {
                        // gone after its finalizer was removed: its cluster is deleted already
                    }
                }, 0);
        syncing = sync.scheduleWithFixedDelay(this::syncStatuses, syncInterval.toMillis(), syncInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("Watching ClusterRequest resources");
    }

    private synchronized void unwatch() {
        if (informer != null) {
            informer.close();
            informer = null;
        }
        if (syncing != null) {
            syncing.cancel(false);
        }
        profileResources.unwatch();
        LOG.info("No longer watching ClusterRequest resources");
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (leader != null) {
            leader.close();
        }
        sync.shutdownNow();
        admissions.shutdownNow();
        profileResources.stop();
    }

    private void reconcile(GenericKubernetesResource resource) {
        if (resource.getMetadata().getDeletionTimestamp() != null) {
            deprovision(resource);
        } else if (!resource.getMetadata().getFinalizers().contains(FINALIZER)) {
            // the update this makes brings the resource back here, to be admitted
            editFinalizers(resource, finalizers -> finalizers.add(FINALIZER));
        } else {
            admit(resource);
        }
    }

    /**
     * A resource without a cluster id in its status is requested, as a POST of its spec would be; an edit of one that
     * has a cluster changes the cluster, as a PATCH of the fields a running cluster may change would.
     */
    private void admit(GenericKubernetesResource resource) {
        if (!alreadyHandled(resource)) {
            request(resource);
        } else if (ObjectMaps.string(resource, "status", "clusterId").isPresent() && !generationSeen(resource)) {
            change(resource);
        }
    }

    /**
     * Changes the resource's cluster to its edited spec: its kubernetesVersion, controlPlane, workerPools and
     * healthCheck (a profile changes through a ClusterProfile's version, the rest not at all). A cluster that does not
     * run yet is changed once it does; a refusal is written into the status, with the generation it answers.
     */
    private void change(GenericKubernetesResource resource) {
        String where = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
        String clusterId = ObjectMaps.string(resource, "status", "clusterId").orElseThrow();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", resource.getMetadata().getGeneration());
        status.put("message", null);
        try {
            var edited = ClusterRequestDocument.input(body(resource));
            var changed = VertxContextSupport.subscribeAndAwait(() -> service.change(
                    Caller.clusterRequestController(), clusterId, new ClusterChangeInput(edited.kubernetesVersion(),
                            edited.controlPlane(), edited.workerPools(), edited.healthCheck())));
            status.put("message", "change " + changed.change().generation()
                    + ("Held".equals(changed.change().state()) ? " held while the cluster is paused: " : ": ")
                    + changed.change().summary());
            LOG.infof("ClusterRequest %s changes cluster %s: %s", where, clusterId, changed.change().summary());
        } catch (InvalidClusterRequestException e) {
            String why = e.violations().stream().map(v -> (v.field().isEmpty() ? "" : v.field() + ": ") + v.message())
                    .collect(Collectors.joining("; "));
            if (!why.contains(ClusterChangeValidator.NOTHING_CHANGED)) {
                status.put("message", "change refused: " + why);
            }
        } catch (ClusterBusyException e) {
            status.put("message", CHANGE_WAITS + e.getMessage());
            sync.schedule(() -> admissions.execute(() -> changeAgainIfUnchanged(resource)),
                    CHANGE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ClusterDeletedException e) {
            status.put("message", e.getMessage());
        } catch (Throwable e) {
            LOG.errorf("ClusterRequest %s could not change cluster %s yet, retrying: %s", where, clusterId,
                    e.toString());
            sync.schedule(() -> admissions.execute(() -> change(resource)), 2, TimeUnit.SECONDS);
            return;
        }
        writeStatus(resource, status);
    }

    /** The edit again, as the resource is now, while it still waits and was not edited again nor deleted. */
    private void changeAgainIfUnchanged(GenericKubernetesResource waiting) {
        GenericKubernetesResource current;
        try {
            current = client.genericKubernetesResources(ClusterRequestCrd.API_VERSION, ClusterRequestCrd.KIND)
                    .inNamespace(waiting.getMetadata().getNamespace()).withName(waiting.getMetadata().getName()).get();
        } catch (KubernetesClientException e) {
            sync.schedule(() -> admissions.execute(() -> changeAgainIfUnchanged(waiting)), CHANGE_WAIT.toMillis(),
                    TimeUnit.MILLISECONDS);
            return;
        }
        if (current != null && current.getMetadata().getDeletionTimestamp() == null
                && Objects.equals(current.getMetadata().getGeneration(), waiting.getMetadata().getGeneration())
                && ObjectMaps.string(current, "status", "message").filter(m -> m.startsWith(CHANGE_WAITS)).isPresent()) {
            change(current);
        }
    }

    private void request(GenericKubernetesResource resource) {
        String where = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", resource.getMetadata().getGeneration());
        try {
            var admission = VertxContextSupport.subscribeAndAwait(() -> service.request(
                    Caller.clusterRequestController(), ClusterRequestDocument.input(body(resource)),
                    "clusterrequest-" + resource.getMetadata().getUid()));
            status.put("clusterId", admission.cluster().id.toString());
            status.put("stage", admission.cluster().stage.displayName());
            status.put("message", null);
            LOG.infof("ClusterRequest %s is cluster %s", where, admission.cluster().id);
        } catch (InvalidClusterRequestException e) {
            status.put("stage", ClusterRequestCrd.STAGE_INVALID);
            status.put("message", e.violations().stream().map(v -> v.field() + ": " + v.message())
                    .collect(Collectors.joining("; ")));
            if (e.violations().stream().anyMatch(v -> v.field().equals(PROFILE_NOT_STORED))) {
                // applied together with its ClusterProfile, as GitOps applies a folder: it may be stored any moment
                sync.schedule(() -> admissions.execute(() -> requestAgainIfStillWaiting(resource)),
                        PROFILE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ClusterNameConflictException e) {
            status.put("stage", ClusterRequestCrd.STAGE_INVALID);
            status.put("message", e.getMessage());
        } catch (Throwable e) {
            LOG.errorf("ClusterRequest %s could not be requested yet, retrying: %s", where, e.toString());
            sync.schedule(() -> admissions.execute(() -> request(resource)), 2, TimeUnit.SECONDS);
            return;
        }
        writeStatus(resource, status);
    }

    /** The resource again, as it is now, while it still waits for the profile it names and nothing else changed. */
    private void requestAgainIfStillWaiting(GenericKubernetesResource waiting) {
        GenericKubernetesResource current;
        try {
            current = client.genericKubernetesResources(ClusterRequestCrd.API_VERSION, ClusterRequestCrd.KIND)
                    .inNamespace(waiting.getMetadata().getNamespace()).withName(waiting.getMetadata().getName()).get();
        } catch (KubernetesClientException e) {
            sync.schedule(() -> admissions.execute(() -> requestAgainIfStillWaiting(waiting)),
                    PROFILE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        boolean same = current != null && current.getMetadata().getDeletionTimestamp() == null
                && Objects.equals(current.getMetadata().getUid(), waiting.getMetadata().getUid())
                && Objects.equals(current.getMetadata().getGeneration(), waiting.getMetadata().getGeneration())
                && ObjectMaps.string(current, "status", "clusterId").isEmpty();
        if (same) {
            request(current);
        }
    }

    /** Requested already, or refused in the generation it has now (an edited spec is looked at again). */
    private static boolean alreadyHandled(GenericKubernetesResource resource) {
        boolean requested = ObjectMaps.string(resource, "status", "clusterId").isPresent();
        boolean refused = ObjectMaps.string(resource, "status", "stage")
                .filter(ClusterRequestCrd.STAGE_INVALID::equals).isPresent();
        return requested || (refused && generationSeen(resource));
    }

    private static boolean generationSeen(GenericKubernetesResource resource) {
        return Objects.equals(resource.getMetadata().getGeneration(),
                ObjectMaps.at(resource, "status", "observedGeneration").map(g -> ((Number) g).longValue()).orElse(null));
    }

    /**
     * Asks for the deletion of the resource's cluster (again and again is fine: a deletion that runs is left to
     * run); the finalizer goes once the cluster is deleted, or at once when the resource never became a cluster.
     */
    private void deprovision(GenericKubernetesResource resource) {
        if (!resource.getMetadata().getFinalizers().contains(FINALIZER)) {
            return;
        }
        var id = ObjectMaps.string(resource, "status", "clusterId");
        if (id.isEmpty()) {
            editFinalizers(resource, finalizers -> finalizers.remove(FINALIZER));
            return;
        }
        try {
            VertxContextSupport.subscribeAndAwait(() ->
                    service.requestDeletion(Caller.clusterRequestController(), id.get()));
            LOG.infof("ClusterRequest %s/%s deleted: cluster %s is deprovisioned",
                    resource.getMetadata().getNamespace(), resource.getMetadata().getName(), id.get());
        } catch (ClusterDeletedException e) {
            editFinalizers(resource, finalizers -> finalizers.remove(FINALIZER));
        } catch (Throwable e) {
            LOG.errorf("The deletion of cluster %s could not be requested yet, retrying: %s", id.get(), e.toString());
            sync.schedule(() -> admissions.execute(() -> deprovision(resource)), 2, TimeUnit.SECONDS);
        }
    }

    private void editFinalizers(GenericKubernetesResource resource, java.util.function.Consumer<List<String>> change) {
        try {
            client.genericKubernetesResources(ClusterRequestCrd.API_VERSION, ClusterRequestCrd.KIND)
                    .inNamespace(resource.getMetadata().getNamespace()).withName(resource.getMetadata().getName())
                    .edit(current -> {
                        List<String> finalizers = new java.util.ArrayList<>(current.getMetadata().getFinalizers());
                        change.accept(finalizers);
                        current.getMetadata().setFinalizers(finalizers);
                        return current;
                    });
        } catch (KubernetesClientException e) {
            LOG.warnf("Cannot change the finalizers of ClusterRequest %s/%s yet, retrying: %s",
                    resource.getMetadata().getNamespace(), resource.getMetadata().getName(), e.getMessage());
            sync.schedule(() -> admissions.execute(() -> reconcile(resource)), 2, TimeUnit.SECONDS);
        }
    }

    /** Writes each watched cluster's stage (and its last error) into its resource's status. */
    private void syncStatuses() {
        var watching = informer;
        if (watching == null) {
            return;
        }
        try {
            Map<String, GenericKubernetesResource> byCluster = new LinkedHashMap<>();
            for (GenericKubernetesResource resource : watching.getStore().list()) {
                ObjectMaps.string(resource, "status", "clusterId")
                        .filter(id -> !FINAL.contains(ObjectMaps.string(resource, "status", "stage").orElse("")))
                        .ifPresent(id -> byCluster.put(id, resource));
            }
            if (byCluster.isEmpty()) {
                return;
            }
            for (TimelineReader.ClusterStage current : reader.stages(byCluster.keySet())) {
                GenericKubernetesResource resource = byCluster.get(current.clusterId());
                if (current.stage().equals("Deleted") && resource.getMetadata().getDeletionTimestamp() != null) {
                    admissions.execute(() -> editFinalizers(resource, finalizers -> finalizers.remove(FINALIZER)));
                    continue;
                }
                if (!current.stage().equals(ObjectMaps.string(resource, "status", "stage").orElse(""))) {
                    Map<String, Object> status = new LinkedHashMap<>();
                    status.put("stage", current.stage());
                    if (current.lastError() != null) {
                        status.put("message", current.lastError());
                    }
                    writeStatus(resource, status);
                }
            }
        } catch (Exception e) {
            LOG.warnf("Cannot write the stages of ClusterRequest resources yet: %s", e.toString());
        }
    }

    /**
     * Sets the given fields of the resource's status (a null value removes the field) and keeps the others as they
     * are now: the admissions and the status sync write from snapshots of their own, and neither may undo the other.
     */
    private void writeStatus(GenericKubernetesResource resource, Map<String, Object> fields) {
        try {
            client.genericKubernetesResources(ClusterRequestCrd.API_VERSION, ClusterRequestCrd.KIND)
                    .inNamespace(resource.getMetadata().getNamespace()).withName(resource.getMetadata().getName())
                    .editStatus(current -> {
                        Map<String, Object> status = new LinkedHashMap<>(ObjectMaps.mapAt(current, "status"));
                        fields.forEach((field, value) -> {
                            if (value == null) {
                                status.remove(field);
                            } else {
                                status.put(field, value);
                            }
                        });
                        current.setAdditionalProperty("status", status);
                        return current;
                    });
        } catch (KubernetesClientException e) {
            LOG.warnf("Cannot write the status of ClusterRequest %s/%s: %s", resource.getMetadata().getNamespace(),
                    resource.getMetadata().getName(), e.getMessage());
        }
    }

    /** The REST body the resource stands for: its spec, with metadata's name and namespace as name and project. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> body(GenericKubernetesResource resource) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", resource.getMetadata().getName());
        body.put("project", resource.getMetadata().getNamespace());
        Object spec = resource.getAdditionalProperties().get("spec");
        if (spec instanceof Map<?, ?> fields) {
            body.putAll((Map<String, Object>) fields);
        }
        return body;
    }
}
