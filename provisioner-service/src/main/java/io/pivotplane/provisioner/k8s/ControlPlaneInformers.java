package io.pivotplane.provisioner.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.k8s.CapiKinds;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One shared informer per kind for every cluster being provisioned: {@code Cluster}, {@code KubeadmControlPlane}
 * and the Secrets labelled with a cluster name. Their caches answer "is it up yet", their events say when to ask.
 */
@ApplicationScoped
public class ControlPlaneInformers {

    /** What the management cluster says about one cluster's first control-plane node. */
    public record Signals(boolean infrastructureReady, boolean controlPlaneInitialized, boolean kubeadmInitialized,
                          Optional<String> apiEndpoint) {

        public boolean ready() {
            return controlPlaneInitialized && kubeadmInitialized && apiEndpoint.isPresent();
        }

        public List<String> missing() {
            List<String> missing = new ArrayList<>();
            if (!infrastructureReady) {
                missing.add("Cluster.status.infrastructureReady");
            }
            if (!controlPlaneInitialized) {
                missing.add("condition " + Capi.CONDITION_CONTROL_PLANE_INITIALIZED);
            }
            if (!kubeadmInitialized) {
                missing.add("KubeadmControlPlane.status.initialized");
            }
            if (apiEndpoint.isEmpty()) {
                missing.add("the kubeconfig Secret");
            }
            return missing;
        }
    }

    private final KubernetesClient client;
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<GenericKubernetesResource> clusters;
    private SharedIndexInformer<GenericKubernetesResource> controlPlanes;
    private SharedIndexInformer<Secret> secrets;

    public ControlPlaneInformers(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Starts the informers; {@code changed} receives the {@code namespace/cluster} of every change. They start
     * without waiting and keep retrying: the API server answers Cluster API's kinds with 404 until its CRDs are
     * installed, and a service started first must follow them once they are.
     */
    public void start(Consumer<String> changed) {
        clusters = follow(client.genericKubernetesResources(CapiKinds.CLUSTERS).inAnyNamespace()
                .runnableInformer(0), handler(changed, o -> o.getMetadata().getName()));
        controlPlanes = follow(client.genericKubernetesResources(CapiKinds.KUBEADM_CONTROL_PLANES).inAnyNamespace()
                .runnableInformer(0), handler(changed, ControlPlaneInformers::clusterName));
        secrets = follow(client.secrets().inAnyNamespace().withLabel(Capi.CLUSTER_NAME_LABEL).runnableInformer(0),
                handler(changed, ControlPlaneInformers::clusterName));
        informers.addAll(List.of(clusters, controlPlanes, secrets));
    }

    private static <T extends HasMetadata> SharedIndexInformer<T> follow(SharedIndexInformer<T> informer,
                                                                        ResourceEventHandler<T> handler) {
        informer.addEventHandler(handler);
        informer.exceptionHandler((started, failure) -> true);
        informer.start();
        return informer;
    }

    /**
     * The pivotplane cluster id that the management cluster's {@code Cluster} carries, read from the API server (a
     * cache just started may not have it yet); empty when there is no such Cluster.
     */
    public Optional<String> clusterIdOf(String namespace, String clusterName) {
        GenericKubernetesResource cluster = client.genericKubernetesResources(CapiKinds.CLUSTERS)
                .inNamespace(namespace).withName(clusterName).get();
        if (cluster == null) {
            return Optional.empty();
        }
        Map<String, String> labels = cluster.getMetadata().getLabels();
        return Optional.of(labels == null ? "" : labels.getOrDefault(Capi.CLUSTER_ID_LABEL, ""));
    }

    public Signals signals(String namespace, String clusterName) {
        GenericKubernetesResource cluster = clusters.getIndexer().getByKey(namespace + "/" + clusterName);
        GenericKubernetesResource controlPlane = cluster == null ? null : controlPlaneOf(cluster);
        Secret kubeconfig = secrets.getIndexer().getByKey(namespace + "/" + Capi.kubeconfigSecretName(clusterName));
        return new Signals(
                cluster != null && ObjectMaps.isTrue(cluster, "status", "infrastructureReady"),
                cluster != null && ObjectMaps.conditionTrue(cluster, Capi.CONDITION_CONTROL_PLANE_INITIALIZED),
                controlPlane != null && ObjectMaps.isTrue(controlPlane, "status", "initialized"),
                apiServer(kubeconfig));
    }

    private GenericKubernetesResource controlPlaneOf(GenericKubernetesResource cluster) {
        return ObjectMaps.at(cluster, "spec", "controlPlaneRef", "name")
                .map(name -> controlPlanes.getIndexer().getByKey(cluster.getMetadata().getNamespace() + "/" + name))
                .orElse(null);
    }

    /** The workload API server's URL, as its kubeconfig names it. */
    private static Optional<String> apiServer(Secret kubeconfig) {
        return Kubeconfigs.fromSecret(kubeconfig).map(Config::getMasterUrl);
    }

    private static String clusterName(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels == null ? null : labels.get(Capi.CLUSTER_NAME_LABEL);
    }

    private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<String> changed,
                                                                          java.util.function.Function<T, String> name) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                String cluster = name.apply(object);
                if (cluster != null) {
                    changed.accept(object.getMetadata().getNamespace() + "/" + cluster);
                }
            }

            @Override
            public void onUpdate(T before, T object) {
                onAdd(object);
            }

            @Override
            public void onDelete(T object, boolean deletedFinalStateUnknown) {
            }
        };
    }

    void stop(@Observes ShutdownEvent shutdown) {
        informers.forEach(SharedIndexInformer::close);
    }
}
