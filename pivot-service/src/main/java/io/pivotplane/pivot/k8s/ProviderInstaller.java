package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.capi.k8s.RolloutProgress;
import io.pivotplane.pivot.domain.InstalledProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code clusterctl init} into a workload cluster: each component's objects in clusterctl's order, its credentials
 * copied from the cluster that already runs it (the management cluster), never read from or written to anything
 * but the two API servers. A component the target's inventory already lists is left as it is, as clusterctl
 * refuses to install a provider twice; the check of versions afterwards says whether it will do.
 */
public final class ProviderInstaller {

    /** kubeadm's taint of control-plane nodes: the only nodes a cluster has before its pivot. */
    static final String CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane";

    private final ProviderComponents.Source source;
    private final Optional<String> imageRepository;
    private final Map<String, List<HasMetadata>> rendered = new ConcurrentHashMap<>();

    /**
     * @param overrides a directory of component files that replace the bundled ones, laid out as clusterctl's
     * @param imageRepository where to pull every component's images from instead, e.g. a private registry
     */
    public ProviderInstaller(Optional<java.nio.file.Path> overrides, Optional<String> imageRepository) {
        this.source = overrides.map(ProviderComponents.Source::directory).orElse(ProviderComponents.Source.bundled());
        this.imageRepository = imageRepository;
    }

    public List<ProviderComponents> certManager() {
        return List.of(source.certManager());
    }

    /** The core, kubeadm bootstrap and control-plane providers, and the cluster's infrastructure provider. */
    public List<ProviderComponents> providers(String infrastructureProvider) {
        return source.forInfrastructure(infrastructureProvider).stream()
                .filter(component -> component.providerType().isPresent()).toList();
    }

    /** Applies the components the target does not run yet, with their credentials from {@code source}. */
    public void apply(KubernetesClient source, KubernetesClient target, List<ProviderComponents> components) {
        List<InstalledProvider> installed = ProviderInventory.read(target);
        if (target.apiextensions().v1().customResourceDefinitions()
                .withName("providers.clusterctl.cluster.x-k8s.io").get() == null) {
            ProviderComponents.inventoryCustomResourceDefinition().forEach(crd -> DesiredState.ensure(target, crd));
        }
        for (ProviderComponents component : components) {
            if (installedOtherwise(component, installed)) {
                continue;
            }
            for (HasMetadata object : objects(component)) {
                DesiredState.ensure(target, object);
            }
            for (var key : component.credentialSecrets()) {
                Secret credentials = source.secrets().inNamespace(key.namespace()).withName(key.name()).get();
                if (credentials != null) {
                    DesiredState.ensure(target, copyOf(credentials));
                }
            }
        }
    }

    /**
     * @param progress what this wait found rolled out before, which is not asked for again
     * @return what of the components pivot-service installed is not rolled out yet: Deployments not available, CRDs
     *     not Established. A provider installed otherwise is not followed: the check of versions judges it.
     */
    public List<String> pending(KubernetesClient target, List<ProviderComponents> components,
                                RolloutProgress progress) {
        List<InstalledProvider> installed = ProviderInventory.read(target);
        List<String> pending = new ArrayList<>();
        for (ProviderComponents component : components) {
            if (!installedOtherwise(component, installed)) {
                pending.addAll(progress.pending(target, objects(component)));
            }
        }
        return pending;
    }

    /** The target's inventory lists the provider at another version than this component's: someone else's install. */
    private static boolean installedOtherwise(ProviderComponents component, List<InstalledProvider> installed) {
        return component.providerType().isPresent() && installed.stream().anyMatch(p ->
                p.name().equals(component.providerName()) && p.type().equals(component.providerType().get())
                        && !p.version().equals(component.version()));
    }

    /**
     * A component's objects as the target gets them. Its controllers must run on the control plane, the only nodes
     * there are: Cluster API's managers tolerate its taint already, cert-manager's do not.
     */
    List<HasMetadata> objects(ProviderComponents component) {
        return rendered.computeIfAbsent(component.manifestLabel() + "@" + component.version(), key -> {
            List<HasMetadata> objects = new ArrayList<>();
            for (GenericKubernetesResource object : component.render(Map.of(), imageRepository, false)) {
                if ("Deployment".equals(object.getKind())) {
                    tolerateControlPlane(object);
                }
                objects.add(object);
            }
            return List.copyOf(objects);
        });
    }

    @SuppressWarnings("unchecked")
    static void tolerateControlPlane(GenericKubernetesResource deployment) {
        Map<String, Object> podSpec = io.pivotplane.capi.ObjectMaps.mapAt(deployment, "spec", "template", "spec");
        List<Map<String, Object>> tolerations = new ArrayList<>(
                (List<Map<String, Object>>) podSpec.getOrDefault("tolerations", List.of()));
        boolean tolerated = tolerations.stream().anyMatch(t -> "Exists".equals(t.get("operator"))
                && (t.get("key") == null || CONTROL_PLANE_TAINT.equals(t.get("key"))));
        if (!tolerated) {
            tolerations.add(Map.of("key", CONTROL_PLANE_TAINT, "operator", "Exists", "effect", "NoSchedule"));
            podSpec.put("tolerations", tolerations);
        }
    }

    private static Secret copyOf(Secret source) {
        return new SecretBuilder().withNewMetadata().withName(source.getMetadata().getName())
                .withNamespace(source.getMetadata().getNamespace()).withLabels(source.getMetadata().getLabels())
                .endMetadata().withType(source.getType()).withData(source.getData())
                .withStringData(source.getStringData()).build();
    }
}
