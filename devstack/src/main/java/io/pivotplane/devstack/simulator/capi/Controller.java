package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One simulated controller of one kind (or concern), as a provider's manager runs it in one cluster: it hears of
 * the changes to the kinds it watches, reconciles one {@link Key} at a time, and acts only while its provider runs
 * in that cluster ({@link ProviderGate}).
 */
abstract class Controller {

    protected final ControllerHost host;
    protected final Api api;

    Controller(ControllerHost host) {
        this.host = host;
        this.api = host.api();
    }

    /** The component whose running Deployment this controller is part of; null for the cluster's own controllers. */
    abstract CapiProvider provider();

    /** The kinds whose changes in this cluster concern it. */
    abstract Set<String> watches();

    /** The keys a changed object of a watched kind enqueues: by default the Cluster it belongs to. */
    Set<Key> keysFor(GenericKubernetesResource object) {
        return Key.clusterOf(object).map(Set::of).orElse(Set.of());
    }

    /** Every key there is to reconcile, for when the provider starts: by default every Cluster. */
    Set<Key> allKeys() {
        return api.listAll(Kind.CLUSTER).stream().map(Key::of).collect(Collectors.toSet());
    }

    /** Whether changes to the Nodes of the workload clusters it reads wake it (a remote watch of CAPI's ClusterCache). */
    boolean watchesWorkloads() {
        return false;
    }

    /**
     * One reconcile of the key; the time after which to run again, if any. A failure (exception) makes it run again
     * after a back-off, as controller-runtime does.
     */
    abstract Optional<Duration> reconcile(Key key);

    @Override
    public String toString() {
        return getClass().getSimpleName();
    }

    static Optional<Duration> done() {
        return Optional.empty();
    }

    static Optional<Duration> after(Duration delay) {
        return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
    }
}
