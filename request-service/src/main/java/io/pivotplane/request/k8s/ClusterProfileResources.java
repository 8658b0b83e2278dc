package io.pivotplane.request.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.request.ClusterRequestCrd;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.InvalidClusterRequestException;
import io.pivotplane.request.domain.Caller;
import io.pivotplane.request.domain.ProfileVersionFrozenException;
import io.pivotplane.request.service.ProfileService;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The declarative path of profiles: a {@code ClusterProfile} resource's spec is stored as its version of the profile
 * named after it, exactly as {@code POST /api/v1/profiles} would store it (a version that exists with other content is
 * replaced while no cluster uses it). Its status says whether that version is stored, or why not. Deleting the
 * resource deletes no version: clusters may use them. Watched by the replica that holds the ClusterRequest lease.
 */
@ApplicationScoped
public class ClusterProfileResources {

    private static final Logger LOG = Logger.getLogger(ClusterProfileResources.class);

    private final KubernetesClient client;
    private final ProfileService profiles;
    private final ExecutorService stores = Executors.newSingleThreadExecutor(r -> new Thread(r, "cluster-profiles"));
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "cluster-profiles-retry"));
    private volatile SharedIndexInformer<GenericKubernetesResource> informer;

    public ClusterProfileResources(KubernetesClient client, ProfileService profiles) {
        this.client = client;
        this.profiles = profiles;
    }

    synchronized void watch() {
        informer = client.genericKubernetesResources(ClusterRequestCrd.API_VERSION, ClusterRequestCrd.PROFILE_KIND)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource resource) {
                        stores.execute(() -> store(resource));
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource resource) {
                        stores.execute(() -> store(resource));
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource resource, boolean deletedFinalStateUnknown) {
                        // its versions stay: clusters may have been made from them
                    }
                }, 0);
        LOG.info("Watching ClusterProfile resources");
    }

    synchronized void unwatch() {
        if (informer != null) {
            informer.close();
            informer = null;
        }
    }

    void stop() {
        unwatch();
        stores.shutdownNow();
        retries.shutdownNow();
    }

    /** Stores the resource's spec as its version, unless its status says this generation was looked at already. */
    private void store(GenericKubernetesResource resource) {
        Long seen = ObjectMaps.at(resource, "status", "observedGeneration").map(g -> ((Number) g).longValue())
                .orElse(null);
        if (Objects.equals(seen, resource.getMetadata().getGeneration())) {
            return;
        }
        String name = resource.getMetadata().getName();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", resource.getMetadata().getGeneration());
        try {
            var input = ClusterRequestDocument.profileInput(body(resource));
            var stored = VertxContextSupport.subscribeAndAwait(() -> profiles
                    .create(Caller.clusterProfileController(), input)
                    .onFailure(ProfileVersionFrozenException.class).recoverWithUni(() -> profiles.replace(
                            Caller.clusterProfileController(), input.name(), input.version(), input)
                            .map(replaced -> new ProfileService.Stored(replaced, false))));
            status.put("stored", "True");
            status.put("storedVersion", stored.profile().version());
            LOG.infof("ClusterProfile %s: version %s stored", name, stored.profile().version());
        } catch (InvalidClusterRequestException e) {
            status.put("stored", "False");
            status.put("message", e.violations().stream().map(v -> v.field() + ": " + v.message())
                    .collect(Collectors.joining("; ")));
        } catch (ProfileVersionFrozenException e) {
            status.put("stored", "False");
            status.put("message", e.getMessage());
        } catch (Throwable e) {
            LOG.errorf("ClusterProfile %s could not be stored yet, retrying: %s", name, e.toString());
            retries.schedule(() -> stores.execute(() -> store(resource)), 2, TimeUnit.SECONDS);
            return;
        }
        try {
            client.genericKubernetesResources(ClusterRequestCrd.API_VERSION, ClusterRequestCrd.PROFILE_KIND)
                    .withName(name).editStatus(current -> {
                        current.setAdditionalProperty("status", status);
                        return current;
                    });
        } catch (KubernetesClientException e) {
            LOG.warnf("Cannot write the status of ClusterProfile %s: %s", name, e.getMessage());
        }
    }

    /** The REST body the resource stands for: its spec, with metadata's name as the profile's name. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> body(GenericKubernetesResource resource) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", resource.getMetadata().getName());
        Object spec = resource.getAdditionalProperties().get("spec");
        if (spec instanceof Map<?, ?> fields) {
            body.putAll((Map<String, Object>) fields);
        }
        return body;
    }
}
