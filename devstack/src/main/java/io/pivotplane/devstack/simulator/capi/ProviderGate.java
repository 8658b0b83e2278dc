package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which providers run in one cluster, read from its API as a cluster shows it: a provider runs while every
 * Deployment carrying its clusterctl label is available and the CRDs of its kinds are Established. A controller acts
 * only while its provider runs; when one starts, its controllers look at everything there is, as a starting manager
 * lists its informers.
 */
final class ProviderGate {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderGate.class);
    private static final Set<String> WATCHED_KINDS = Set.of(Kind.DEPLOYMENT.kind(), Kind.CUSTOM_RESOURCE_DEFINITION.kind());

    /** A provider that runs, and the namespace of its Deployment (where it reads its own credentials). */
    record Running(String namespace) {
    }

    private final String cluster;
    private final Api api;
    private final Consumer<Runnable> executor;
    private final Consumer<CapiProvider> started;
    private final Map<CapiProvider, Running> running = new EnumMap<>(CapiProvider.class);
    private final AtomicBoolean pending = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    /** @param started told of each provider that starts running */
    ProviderGate(String cluster, Api api, Consumer<Runnable> executor, Consumer<CapiProvider> started) {
        this.cluster = cluster;
        this.api = api;
        this.executor = executor;
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

    void changed(GenericKubernetesResource object) {
        if (WATCHED_KINDS.contains(object.getKind())) {
            evaluateSoon();
        }
    }

    void evaluateSoon() {
        again.set(true);
        if (pending.compareAndSet(false, true)) {
            executor.accept(this::evaluateWhileChanging);
        }
    }

    private void evaluateWhileChanging() {
        try {
            while (again.getAndSet(false)) {
                evaluate();
            }
        } catch (RuntimeException e) {
            LOG.debug("[{}] could not tell which providers run: {}", cluster, e.toString());
            again.set(true);
        } finally {
            pending.set(false);
        }
        if (again.get()) {
            evaluateSoon();
        }
    }

    /** Reads the providers' Deployments and CRDs and records which run. */
    void evaluate() {
        List<GenericKubernetesResource> deployments = api.listAll(Kind.DEPLOYMENT);
        Set<String> established = api.listAll(Kind.CUSTOM_RESOURCE_DEFINITION).stream()
                .filter(crd -> Conditions.of(crd).isTrue("Established"))
                .map(crd -> crd.getMetadata().getName()).collect(Collectors.toSet());
        for (CapiProvider provider : CapiProvider.values()) {
            List<GenericKubernetesResource> own = deployments.stream()
                    .filter(d -> provider.labelValue().equals(Api.labels(d).get(provider.labelKey()))).toList();
            boolean runs = !own.isEmpty() && own.stream().allMatch(ProviderGate::available)
                    && provider.kinds().stream().allMatch(kind -> established.contains(kind.crdName()));
            boolean before;
            synchronized (running) {
                before = running.containsKey(provider);
                if (runs) {
                    running.put(provider, new Running(own.get(0).getMetadata().getNamespace()));
                } else {
                    running.remove(provider);
                }
            }
            if (runs && !before) {
                LOG.info("[{}] {} runs (in {})", cluster, provider.labelValue(), own.get(0).getMetadata().getNamespace());
                started.accept(provider);
            } else if (!runs && before) {
                LOG.info("[{}] {} no longer runs", cluster, provider.labelValue());
            }
        }
    }

    /** As {@code kubectl rollout status} sees it: every replica the spec asks for is available. */
    private static boolean available(GenericKubernetesResource deployment) {
        int replicas = ObjectMaps.integer(deployment, 1, "spec", "replicas");
        int available = ObjectMaps.integer(deployment, 0, "status", "availableReplicas");
        return available > 0 && available >= replicas;
    }
}
