package io.pivotplane.pivot.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.capi.Capi;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.messaging.Outbox;
import io.pivotplane.pivot.config.PivotConfig;
import io.pivotplane.pivot.k8s.MoveOperations;
import io.pivotplane.pivot.k8s.UnplaceableObjectException;
import io.pivotplane.pivot.persistence.Move;
import io.pivotplane.pivot.persistence.MoveStep;
import io.pivotplane.pivot.persistence.MoveStore;
import io.pivotplane.pivot.persistence.MovedObject;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jboss.logging.Logger;

/**
 * Step 4 of the order of operations: installs the agent into the workload cluster, then moves the cluster's
 * CAPI objects into it the way {@code clusterctl move} does. Every step is recorded before the next begins, so
 * a restart resumes the move and never creates an object twice. A move that cannot finish is rolled back
 * while that is possible, and reported either way.
 */
@ApplicationScoped
public class PivotService {

    public static final String REASON_PREFLIGHT = "PivotPreflightFailed";
    public static final String REASON_ROLLED_BACK = "PivotRolledBack";
    public static final String REASON_INCOMPLETE = "PivotIncomplete";

    private static final Logger LOG = Logger.getLogger(PivotService.class);

    private final KubernetesClient management;
    private final MoveStore store;
    private final Outbox outbox;
    private final PivotConfig config;
    private final MessagingConfig messaging;
    private final DeprovisionService deprovisioning;
    private final MeterRegistry registry;
    /** One for the clients of every workload cluster, on the application's Vert.x. */
    private final HttpClient.Factory workloadHttpClients;

    public PivotService(KubernetesClient management, MoveStore store, Outbox outbox,
                        PivotConfig config, MessagingConfig messaging, DeprovisionService deprovisioning,
                        MeterRegistry registry, Vertx vertx) {
        this.workloadHttpClients = new VertxHttpClientFactory(vertx);
        this.deprovisioning = deprovisioning;
        this.registry = registry;
        this.management = management;
        this.store = store;
        this.outbox = outbox;
        this.config = config;
        this.messaging = messaging;
    }

    public void pivot(EventEnvelope<?> event, ControlPlaneReady ready) throws Exception {
        String namespace = ready.kubeconfigSecret().namespace();
        String clusterName = clusterName(ready);
        if (store.find(ready.clusterId()).isEmpty() && deprovisioning.deletionRequested(ready.clusterId())) {
            LOG.infof("%s/%s is to be deleted: it does not move", namespace, clusterName);
            return;
        }
        Move move = store.startOrResume(new Move(ready.clusterId(), namespace, clusterName, event.correlationId(),
                ready.apiEndpoint(), MoveStep.STARTED, null));
        if (move.step() == MoveStep.DONE || move.step() == MoveStep.FAILED) {
            LOG.infof("The move of %s/%s has already ended (%s)", namespace, clusterName, move.step());
            return;
        }
        if (move.step() != MoveStep.STARTED) {
            LOG.infof("Resuming the move of %s/%s after step %s", namespace, clusterName, move.step());
        }
        KubernetesClient target = null;
        if (!move.step().reached(MoveStep.UNPAUSED)) {
            try {
                target = MoveOperations.workloadClient(management, workloadHttpClients, namespace,
                        clusterName);
            } catch (RuntimeException e) {
                fail(event, move, move.step() == MoveStep.STARTED ? REASON_PREFLIGHT : REASON_INCOMPLETE,
                        "cannot reach the workload cluster: " + e.getMessage());
                return;
            }
        }
        try (KubernetesClient workload = target) {
            run(event, move, workload);
        }
        Move ended = store.find(move.clusterId()).orElseThrow();
        if (ended.step() == MoveStep.DONE || ended.step() == MoveStep.FAILED) {
            deprovisioning.moveEnded(event, move.clusterId(), ended.step() == MoveStep.DONE);
        }
    }

    private void run(EventEnvelope<?> event, Move move, KubernetesClient target) throws Exception {
        String id = move.clusterId();
        String namespace = move.namespace();
        String clusterName = move.clusterName();
        if (!move.step().reached(MoveStep.AGENT_INSTALLED)) {
            Timer.Sample preflight = Timer.start(registry);
            List<String> problems = awaitPreflight(namespace, clusterName);
            stop(preflight, "preflight");
            if (!problems.isEmpty()) {
                fail(event, move, REASON_PREFLIGHT, "the cluster cannot move yet, nothing was changed: "
                        + String.join("; ", problems));
                return;
            }
            Timer.Sample install = Timer.start(registry);
            AgentConfig agent = new AgentConfig(id, clusterName, namespace, config.agentKafkaBootstrapServers(),
                    config.agentHeartbeat());
            try {
                retrying("install the agent", () -> {
                    MoveOperations.apply(target, AgentManifests.render(agent, config.agentImage(), AgentManifests.Network.HOST));
                    return null;
                });
            } catch (RuntimeException e) {
                fail(event, move, REASON_PREFLIGHT, e.getMessage() + "; nothing was moved");
                return;
            }
            store.step(id, MoveStep.AGENT_INSTALLED);
            stop(install, "install_agent");
            LOG.infof("Agent installed in %s/%s", namespace, clusterName);
        }
        if (!move.step().reached(MoveStep.PAUSED)) {
            Timer.Sample pause = Timer.start(registry);
            try {
                retrying("pause the Cluster", () -> {
                    MoveOperations.setPaused(management, namespace, clusterName, true);
                    return null;
                });
            } catch (RuntimeException e) {
                rollBack(event, move, target, List.of(), e);
                return;
            }
            store.step(id, MoveStep.PAUSED);
            stop(pause, "pause");
        }
        if (!move.step().reached(MoveStep.COLLECTED)) {
            Timer.Sample collect = Timer.start(registry);
            try {
                store.collected(id, retrying("collect the object graph",
                        () -> MoveOperations.discover(management, namespace, clusterName)));
            } catch (RuntimeException e) {
                rollBack(event, move, target, List.of(), e);
                return;
            }
            stop(collect, "collect");
        }
        List<MovedObject> objects = store.objects(id);
        if (!move.step().reached(MoveStep.CREATED)) {
            Timer.Sample create = Timer.start(registry);
            try {
                create(move, target, objects);
            } catch (RuntimeException e) {
                rollBack(event, move, target, store.objects(id), e);
                return;
            }
            store.step(id, MoveStep.CREATED);
            stop(create, "create_in_target");
            objects = store.objects(id);
        }
        MovedObject kubeconfig = objects.stream()
                .filter(o -> "Secret".equals(o.kind()) && Capi.kubeconfigSecretName(clusterName).equals(o.name()))
                .findFirst().orElse(null);
        try {
            if (!move.step().reached(MoveStep.DELETED)) {
                Timer.Sample delete = Timer.start(registry);
                List<MovedObject> reversed = new ArrayList<>(objects);
                java.util.Collections.reverse(reversed);
                for (MovedObject object : reversed) {
                    // the kubeconfig goes last, after the unpause: until then a resumed move still reaches the target
                    if (!object.deleted() && object != kubeconfig) {
                        retrying("delete " + object.kind() + " " + object.name() + " from the management cluster",
                                () -> {
                                    MoveOperations.deleteFromSource(management, namespace, object);
                                    return null;
                                });
                        store.deleted(id, object.position());
                    }
                }
                store.step(id, MoveStep.DELETED);
                stop(delete, "delete_from_source");
            }
            if (!move.step().reached(MoveStep.UNPAUSED)) {
                Timer.Sample unpause = Timer.start(registry);
                retrying("unpause the Cluster in the workload cluster", () -> {
                    MoveOperations.setPaused(target, namespace, clusterName, false);
                    return null;
                });
                store.step(id, MoveStep.UNPAUSED);
                stop(unpause, "unpause");
            }
            if (kubeconfig != null && !kubeconfig.deleted()) {
                retrying("delete the kubeconfig Secret from the management cluster", () -> {
                    MoveOperations.deleteFromSource(management, namespace, kubeconfig);
                    return null;
                });
                store.deleted(id, kubeconfig.position());
            }
        } catch (RuntimeException e) {
            List<String> left = store.objects(id).stream().filter(o -> !o.deleted())
                    .map(o -> o.kind() + "/" + o.name()).toList();
            fail(event, move, REASON_INCOMPLETE, "the move of " + namespace + "/" + clusterName + " stopped after"
                    + " every object was created in the workload cluster: " + e.getMessage() + "; still in the"
                    + " management cluster: " + left + "; replaying the ControlPlaneReady event resumes it");
            return;
        }
        List<ObjectReference> moved = objects.stream()
                .map(o -> new ObjectReference(o.apiVersion(), o.kind(), namespace, o.name())).toList();
        outbox.appendIf(connection -> store.done(connection, id), EventEnvelope.causedBy(event, messaging.eventSource(),
                new Pivoted(id, move.apiEndpoint(), moved, Instant.now())));
        LOG.infof("%s/%s pivoted: %d objects now live in the workload cluster", namespace, clusterName, moved.size());
    }

    /** {@code pivotplane_pivot_step_seconds{step}}: how long each step of a move took. */
    private void stop(Timer.Sample sample, String step) {
        sample.stop(Timer.builder("pivotplane.pivot.step")
                .description("Duration of each step of a move, from the preflight checks to the unpause")
                .tag("step", step)
                .publishPercentileHistogram()
                .register(registry));
    }

    private void create(Move move, KubernetesClient target, List<MovedObject> objects) throws Exception {
        retrying("create the namespace in the workload cluster", () -> {
            MoveOperations.ensureNamespace(target, move.namespace());
            return null;
        });
        Map<String, String> targetUids = new HashMap<>();
        objects.forEach(o -> o.targetUid().ifPresent(uid -> targetUids.put(o.sourceUid(), uid)));
        int done = targetUids.size();
        for (MovedObject object : objects) {
            if (object.targetUid().isPresent()) {
                continue;
            }
            String uid = retrying("create " + object.kind() + " " + object.name() + " in the workload cluster",
                    () -> MoveOperations.create(management, target, move.namespace(), object, targetUids));
            store.created(move.clusterId(), object.position(), uid);
            targetUids.put(object.sourceUid(), uid);
            done++;
            LOG.infof("Moved object %d of %d: %s %s", done, objects.size(), object.kind(), object.name());
            if (!config.objectDelay().isZero()) {
                Thread.sleep(config.objectDelay().toMillis());
            }
        }
    }

    /** Undoes a move that cannot finish: removes what it created in the target and unpauses the source. */
    private void rollBack(EventEnvelope<?> event, Move move, KubernetesClient target, List<MovedObject> objects,
                          RuntimeException cause) throws Exception {
        LOG.errorf("The move of %s/%s cannot finish, rolling back: %s", move.namespace(), move.clusterName(),
                cause.getMessage());
        try {
            List<MovedObject> created = new ArrayList<>(objects.stream().filter(o -> o.targetUid().isPresent()).toList());
            java.util.Collections.reverse(created);
            for (MovedObject object : created) {
                retrying("remove " + object.kind() + " " + object.name() + " from the workload cluster", () -> {
                    MoveOperations.deleteFromTarget(target, move.namespace(), object);
                    return null;
                });
                store.uncreated(move.clusterId(), object.position());
            }
            retrying("unpause the Cluster in the management cluster", () -> {
                MoveOperations.setPaused(management, move.namespace(), move.clusterName(), false);
                return null;
            });
        } catch (RuntimeException rollbackFailure) {
            fail(event, move, REASON_INCOMPLETE, "the move failed (" + cause.getMessage() + ") and could not be "
                    + "rolled back (" + rollbackFailure.getMessage() + "): the Cluster may be paused and half-moved");
            return;
        }
        fail(event, move, REASON_ROLLED_BACK, cause.getMessage() + "; the move was rolled back and the cluster "
                + "stays managed by the management cluster");
    }

    private List<String> awaitPreflight(String namespace, String clusterName) throws InterruptedException {
        Instant deadline = Instant.now().plus(config.preflightTimeout());
        while (true) {
            List<String> problems = MoveOperations.preflight(management, namespace, clusterName);
            if (problems.isEmpty() || Instant.now().isAfter(deadline)) {
                return problems;
            }
            Thread.sleep(500);
        }
    }

    private <T> T retrying(String what, Callable<T> action) throws Exception {
        Duration backoff = Duration.ofMillis(200);
        for (int attempt = 1; ; attempt++) {
            try {
                return action.call();
            } catch (UnplaceableObjectException e) {
                throw e;
            } catch (RuntimeException e) {
                if (attempt >= config.attempts()) {
                    throw new IllegalStateException("could not " + what + " after " + attempt + " attempts: "
                            + e.getMessage(), e);
                }
                LOG.warnf("Could not %s (attempt %d of %d): %s", what, attempt, config.attempts(), e.toString());
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2);
            }
        }
    }

    private void fail(EventEnvelope<?> event, Move move, String reason, String message) throws Exception {
        LOG.errorf("Pivot of %s/%s failed (%s): %s", move.namespace(), move.clusterName(), reason, message);
        outbox.appendIf(connection -> store.failed(connection, move.clusterId(), reason + ": " + message),
                EventEnvelope.causedBy(event, messaging.eventSource(), new ProvisioningFailed(move.clusterId(),
                        Stage.PIVOTED, reason, message, Instant.now())));
    }

    /** The Cluster's name, from its kubeconfig Secret's, which CAPI names {@code <cluster>-kubeconfig}. */
    static String clusterName(ControlPlaneReady ready) {
        String secret = ready.kubeconfigSecret().name();
        String suffix = Capi.kubeconfigSecretName("");
        if (!secret.endsWith(suffix) || secret.length() == suffix.length()) {
            throw new io.pivotplane.kit.messaging.PermanentEventException("kubeconfig Secret '" + secret
                    + "' is not named <cluster>-kubeconfig");
        }
        return secret.substring(0, secret.length() - suffix.length());
    }
}
