package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the five providers' infrastructure cluster controllers share: they reconcile their kind once the Cluster
 * controller has made the Cluster its owner and unless it is paused; each provider then checks its credentials and
 * orders its finalizer, its conditions and what it persists on failure as its own code does.
 */
abstract class InfrastructureClusterController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(InfrastructureClusterController.class);
    static final int API_SERVER_PORT = 6443;
    /** How often a deletion looks again while machines are left (CAPV's 10 s). */
    static final Duration MACHINES_LEFT_REQUEUE = Duration.ofSeconds(10);

    InfrastructureClusterController(ControllerHost host) {
        super(host);
    }

    /** The infrastructure cluster kind this controller reconciles. */
    abstract Kind kind();

    /** The provider's infrastructure machine kind, whose objects a deletion waits for. */
    abstract Kind machineKind();

    abstract String finalizer();

    /** Kinds besides its own, Cluster and its machines whose changes concern it (identities). */
    Set<String> alsoWatches() {
        return Set.of();
    }

    /** One reconcile of an infrastructure cluster owned by a Cluster that is not paused. */
    abstract Optional<Duration> reconcile(GenericKubernetesResource infrastructure, GenericKubernetesResource cluster);

    /** What the provider does while the Cluster is paused: by default nothing. */
    Optional<Duration> paused(GenericKubernetesResource infrastructure, GenericKubernetesResource cluster) {
        return done();
    }

    @Override
    final Set<String> watches() {
        return Stream.concat(Stream.of(kind().kind(), Capi.CLUSTER, machineKind().kind()), alsoWatches().stream())
                .collect(Collectors.toSet());
    }

    @Override
    Set<Key> keysFor(GenericKubernetesResource object) {
        Set<Key> keys = super.keysFor(object);
        if (keys.isEmpty() && kind().kind().equals(object.getKind())) {
            return Api.owner(object, Capi.CLUSTER).map(o -> Set.of(new Key(object.getMetadata().getNamespace(),
                    o.getName()))).orElse(Set.of());
        }
        return keys;
    }

    @Override
    final Optional<Duration> reconcile(Key key) {
        GenericKubernetesResource cluster = api.get(Kind.CLUSTER, key.namespace(), key.name());
        if (cluster == null) {
            return done();
        }
        Object reference = ObjectMaps.at(cluster, "spec", "infrastructureRef").orElse(null);
        if (!(reference instanceof Map<?, ?> ref) || !kind().kind().equals(ref.get("kind"))) {
            return done();
        }
        GenericKubernetesResource infrastructure = api.get(kind(), key.namespace(), String.valueOf(ref.get("name")));
        if (infrastructure == null) {
            return done();
        }
        GenericKubernetesResource owner = Clusters.ownerCluster(api, infrastructure);
        if (owner == null) {
            // "Waiting for Cluster Controller to set OwnerRef on <kind>"
            return done();
        }
        if (Clusters.paused(owner, infrastructure)) {
            return paused(infrastructure, owner);
        }
        return reconcile(infrastructure, owner);
    }

    // what the providers share

    static Map<String, Object> status(GenericKubernetesResource object) {
        return new LinkedHashMap<>(Api.normalized(object.getAdditionalProperties().get("status")));
    }

    /**
     * The cluster's network infrastructure in the provider's cloud: made now if missing, ready after the
     * infrastructure delay; then the control-plane endpoint (the load balancer's, where the spec has none) and
     * {@code status.ready}. Returns when to look again while it is being made.
     */
    Optional<Duration> provision(GenericKubernetesResource infrastructure, GenericKubernetesResource cluster,
                                 Map<String, Object> status, Conditions conditions, List<String> readyConditions,
                                 String waitingReason, Supplier<String> endpointHost) {
        SimulatedCloud.Network network = host.simulation().cloud().network(provider(), Key.of(cluster), endpointHost,
                API_SERVER_PORT);
        if (!network.ready()) {
            readyConditions.forEach(type -> conditions.markFalse(type, waitingReason, Conditions.INFO, null));
            return after(Duration.between(Instant.now(), network.readyAt()).plusMillis(10));
        }
        boolean hasEndpoint = ObjectMaps.string(infrastructure, "spec", "controlPlaneEndpoint", "host")
                .filter(h -> !h.isEmpty()).isPresent();
        if (!hasEndpoint && !network.endpointHost().isEmpty()) {
            GenericKubernetesResource updated = api.change(kind(), infrastructure, o -> {
                ObjectMaps.mapAt(o, "spec").put("controlPlaneEndpoint", ObjectMaps.map("host", network.endpointHost(),
                        "port", network.endpointPort()));
                return o;
            });
            infrastructure.setAdditionalProperty("spec", updated.getAdditionalProperties().get("spec"));
        }
        readyConditions.forEach(conditions::markTrue);
        if (!Boolean.TRUE.equals(status.get("ready"))) {
            LOG.info("[{}] {} {} is ready", host.name(), kind().kind(), Key.of(infrastructure));
        }
        status.put("ready", true);
        return done();
    }

    /**
     * A deletion: waits while the cluster's machines of this provider exist, then deletes the cluster's network
     * infrastructure and removes the finalizer. True once done.
     */
    boolean deprovision(GenericKubernetesResource infrastructure, GenericKubernetesResource cluster) {
        boolean machinesLeft = !api.ofCluster(machineKind(), cluster.getMetadata().getNamespace(),
                cluster.getMetadata().getName()).isEmpty() || host.simulation().cloud().hasVms(provider(), Key.of(cluster));
        if (machinesLeft) {
            return false;
        }
        host.simulation().cloud().deleteNetwork(provider(), Key.of(cluster));
        api.removeFinalizer(kind(), infrastructure, finalizer());
        LOG.info("[{}] {} {} deleted", host.name(), kind().kind(), Key.of(infrastructure));
        return true;
    }

    /** The namespace the provider's controller runs in (where clusterctl put its own credentials). */
    String providerNamespace() {
        return host.gate().namespace(provider()).orElseThrow(() -> new IllegalStateException(
                provider().labelValue() + " does not run"));
    }
}
