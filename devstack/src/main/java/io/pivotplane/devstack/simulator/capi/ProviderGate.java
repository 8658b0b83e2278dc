package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which providers run in one cluster, as the cluster shows it: a provider runs while every Deployment carrying its
 * clusterctl label is available and the CRDs of its kinds are Established. A controller acts only while its provider
 * runs; when one starts, its controllers look at everything there is, as a starting manager lists its informers.
 *
 * <p>It follows the cluster's Deployments and CRDs from the changes the controller host hears of (its watches, or the
 * simulated store's changes), so that telling does not cost a listing of the cluster's CRDs, which are large; and it
 * keeps the kinds those CRDs define, for the garbage collector.
 */
final class ProviderGate {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderGate.class);

    /** A provider that runs, and the namespace of its Deployment (where it reads its own credentials). */
    record Running(String namespace) {
    }

    private record DeploymentState(String namespace, Map<String, String> labels, boolean available) {
    }

    private record Crd(Kind kind, boolean established) {
    }

    private final String cluster;
    private final Consumer<CapiProvider> started;
    private final Map<CapiProvider, Running> running = new EnumMap<>(CapiProvider.class);
    private final Map<String, DeploymentState> deployments = new ConcurrentHashMap<>();
    private final Map<String, Crd> crds = new ConcurrentHashMap<>();

    /** @param started told of each provider that starts running */
    ProviderGate(String cluster, Consumer<CapiProvider> started) {
        this.cluster = cluster;
        this.started = started;
    }

    boolean running(CapiProvider provider) {
        synchronized (running) {
            return running.containsKey(provider);
        }
    }

    /** The namespace the provider runs in. */
    Optional<String> namespace(CapiProvider provider) {
        synchronized (running) {
            return Optional.ofNullable(running.get(provider)).map(Running::namespace);
        }
    }

    /** The kinds the cluster's CRDs define, at their storage versions. */
    List<Kind> crdKinds() {
        return crds.values().stream().map(Crd::kind).toList();
    }

    /** A change the controller host heard of: {@code after} null for a deleted object. */
    void changed(GenericKubernetesResource before, GenericKubernetesResource after) {
        GenericKubernetesResource object = after != null ? after : before;
        String key = object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
        if (Kind.DEPLOYMENT.kind().equals(object.getKind())) {
            if (after == null) {
                deployments.remove(key);
            } else {
                int replicas = ObjectMaps.integer(after, 1, "spec", "replicas");
                int available = ObjectMaps.integer(after, 0, "status", "availableReplicas");
                deployments.put(key, new DeploymentState(after.getMetadata().getNamespace(), Api.labels(after),
                        available > 0 && available >= replicas));
            }
        } else if (Kind.CUSTOM_RESOURCE_DEFINITION.kind().equals(object.getKind())) {
            String name = object.getMetadata().getName();
            if (after == null) {
                crds.remove(name);
            } else {
                kindOf(after).ifPresent(kind -> crds.put(name, new Crd(kind, Conditions.of(after).isTrue("Established"))));
            }
        } else {
            return;
        }
        evaluate();
    }

    private static Optional<Kind> kindOf(GenericKubernetesResource crd) {
        Object versions = ObjectMaps.at(crd, "spec", "versions").orElse(List.of());
        for (Object item : (List<?>) versions) {
            if (item instanceof Map<?, ?> version && Boolean.TRUE.equals(version.get("storage"))) {
                return Optional.of(new Kind(ObjectMaps.string(crd, "spec", "group").orElse(""),
                        String.valueOf(version.get("name")), ObjectMaps.string(crd, "spec", "names", "kind").orElse(""),
                        ObjectMaps.string(crd, "spec", "names", "plural").orElse(""),
                        "Namespaced".equals(ObjectMaps.string(crd, "spec", "scope").orElse(""))));
            }
        }
        return Optional.empty();
    }

    private synchronized void evaluate() {
        for (CapiProvider provider : CapiProvider.values()) {
            List<DeploymentState> own = deployments.values().stream()
                    .filter(d -> provider.labelValue().equals(d.labels().get(provider.labelKey()))).toList();
            boolean runs = !own.isEmpty() && own.stream().allMatch(DeploymentState::available)
                    && provider.kinds().stream().allMatch(kind -> established(kind.crdName()));
            boolean before;
            synchronized (running) {
                before = running.containsKey(provider);
                if (runs) {
                    running.put(provider, new Running(own.get(0).namespace()));
                } else {
                    running.remove(provider);
                }
            }
            if (runs && !before) {
                LOG.info("[{}] {} runs (in {})", cluster, provider.labelValue(), own.get(0).namespace());
                started.accept(provider);
            } else if (!runs && before) {
                LOG.info("[{}] {} no longer runs", cluster, provider.labelValue());
            }
        }
    }

    private boolean established(String crdName) {
        Crd crd = crds.get(crdName);
        return crd != null && crd.established();
    }
}
