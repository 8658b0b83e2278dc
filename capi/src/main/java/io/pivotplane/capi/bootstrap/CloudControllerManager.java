package io.pivotplane.capi.bootstrap;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.components.Images;
import io.pivotplane.capi.components.NamespacedName;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The cloud-controller-manager of one workload cluster, its upstream manifests with the cluster's values filled in:
 * what pivot-service applies to a cluster that runs with {@code cloud-provider: external}, so that its nodes get
 * their provider ids and lose the {@code node.cloudprovider.kubernetes.io/uninitialized} taint.
 */
public final class CloudControllerManager {

    private final String provider;
    private final String version;
    private final List<GenericKubernetesResource> objects;
    private final Optional<CredentialsSecret> credentialsSecret;

    CloudControllerManager(String provider, String version, List<GenericKubernetesResource> objects,
                           Optional<CredentialsSecret> credentialsSecret) {
        this.provider = provider;
        this.version = version;
        this.objects = objects.stream().map(ObjectMaps::copy).toList();
        this.credentialsSecret = credentialsSecret;
    }

    /** The infrastructure, as requests name it: {@code aws}, {@code azure} or {@code vsphere}. */
    public String provider() {
        return provider;
    }

    /** The release of the cloud provider it runs, e.g. {@code v1.30.2}. */
    public String version() {
        return version;
    }

    /**
     * Its objects, all in {@code kube-system} or cluster-wide: service accounts, RBAC, configuration, then the
     * Deployment or DaemonSets. A fresh copy each time.
     */
    public List<GenericKubernetesResource> objects() {
        return objects(Optional.empty());
    }

    /**
     * @param imageRepository moves every image to this repository, as clusterctl's {@code images: all: repository:}
     *     does for providers (see {@link Images})
     */
    public List<GenericKubernetesResource> objects(Optional<String> imageRepository) {
        Objects.requireNonNull(imageRepository, "imageRepository");
        List<GenericKubernetesResource> copies = objects.stream().map(ObjectMaps::copy).toList();
        imageRepository.ifPresent(repository -> Images.moveTo(copies, repository));
        return copies;
    }

    /**
     * The Secret it reads cloud credentials from, where it reads them from a Secret (vSphere); empty where it takes
     * them from the node (AWS: the instance profile; Azure: the {@code /etc/kubernetes/azure.json} CAPZ writes).
     */
    public Optional<CredentialsSecret> credentialsSecret() {
        return credentialsSecret;
    }

    /** The Deployments and DaemonSets whose rollout says it runs. */
    public List<Workload> workloads() {
        return objects.stream().filter(o -> "Deployment".equals(o.getKind()) || "DaemonSet".equals(o.getKind()))
                .map(o -> new Workload(o.getKind(),
                        new NamespacedName(o.getMetadata().getNamespace(), o.getMetadata().getName())))
                .toList();
    }

    @Override
    public String toString() {
        return provider + " cloud-controller-manager " + version;
    }
}
