package io.pivotplane.pivot.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.messaging.AgentKeys;
import io.pivotplane.pivot.domain.AgentIdentities;
import io.pivotplane.kit.messaging.Outbox;
import io.pivotplane.kit.messaging.PermanentEventException;
import io.pivotplane.capi.Capi;
import io.pivotplane.pivot.config.PivotConfig;
import io.pivotplane.pivot.k8s.ManagementKinds;
import io.pivotplane.pivot.k8s.ProviderInstaller;
import io.pivotplane.pivot.k8s.UnplaceableObjectException;
import io.pivotplane.pivot.persistence.Direction;
import io.pivotplane.pivot.persistence.Move;
import io.pivotplane.pivot.persistence.MoveStep;
import io.pivotplane.pivot.persistence.MoveStore;
import io.pivotplane.pivot.persistence.MovedObject;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Step 4 of the order of operations: prepares the workload cluster to run itself (its agent, its network plugin
 * and cloud-controller-manager, cert-manager and its Cluster API providers, as {@code clusterctl init}), then moves
 * the cluster's CAPI objects into it the way {@code clusterctl move} does; and, before a pivoted cluster is deleted,
 * moves them back. A move is a recorded sequence of steps ({@link MoveStep}) advanced by a reconcile loop: a step
 * that waits (for a rollout, a node, a token) says so and is looked at again, so a restart resumes the move and
 * never creates an object twice. A move that cannot finish is rolled back while that is possible, and reported
 * either way, once.
 */
@ApplicationScoped
public class PivotService {

    public static final String REASON_PREFLIGHT = MoveSteps.REASON_PREFLIGHT;
    public static final String REASON_ROLLED_BACK = MoveSteps.REASON_ROLLED_BACK;
    public static final String REASON_INCOMPLETE = MoveSteps.REASON_INCOMPLETE;

    private static final Logger LOG = Logger.getLogger(PivotService.class);
    /** How long a replica holds a move it works on; renewed at each reconcile. */
    private static final Duration LEASE = Duration.ofMinutes(2);
    /** How long the management cluster's CRDs are taken as read: a provider installed there is seen after that. */
    private static final Duration MANAGEMENT_KINDS_MAX_AGE = Duration.ofSeconds(30);

    private final KubernetesClient management;
    private final MoveStore store;
    private final Outbox outbox;
    private final PivotConfig config;
    private final MessagingConfig messaging;
    private final MeterRegistry registry;
    private final MoveSteps steps;
    /** One for the clients of every workload cluster, on the application's Vert.x. */
    private final HttpClient.Factory workloadHttpClients;
    private final String replica;
    private final List<Consumer<Move>> endListeners = new CopyOnWriteArrayList<>();
    private final ReconcileLoop loop;
    private final ManagementKinds managementKinds;

    public PivotService(KubernetesClient management, MoveStore store, Outbox outbox, PivotConfig config,
                        MessagingConfig messaging, MeterRegistry registry, Vertx vertx, AgentKeys agentKeys,
                        AgentIdentities agentIdentities) {
        this.workloadHttpClients = new VertxHttpClientFactory(vertx);
        this.registry = registry;
        this.management = management;
        this.store = store;
        this.outbox = outbox;
        this.config = config;
        this.replica = config.replicaId().filter(id -> !id.isBlank())
                .orElseGet(() -> "pivot-service-" + UUID.randomUUID());
        this.messaging = messaging;
        this.steps = new MoveSteps(config, store, new ProviderInstaller(config.providerComponentsDirectory(),
                config.providerImageRepository()), agentKeys, agentIdentities);
        this.loop = new ReconcileLoop("moves", config.reconcileWorkers(), this::reconcile);
        this.managementKinds = new ManagementKinds(management, MANAGEMENT_KINDS_MAX_AGE);
    }

    void start(@Observes StartupEvent startup) throws Exception {
        for (Move move : store.unfinished()) {
            LOG.infof("Resuming the move of %s/%s (%s) after step %s", move.namespace(), move.clusterName(),
                    move.direction(), move.step());
            loop.enqueue(move.key(), Duration.ZERO);
        }
    }

    void stop(@Observes ShutdownEvent shutdown) {
        loop.close();
    }

    /** Tells {@code listener} of every move that ends, done or failed: a deletion may be waiting for it. */
    public void onMoveEnded(Consumer<Move> listener) {
        endListeners.add(listener);
    }

    /** The cluster's first control-plane node is up: its pivot starts, or goes on if it had started. */
    public void pivot(EventEnvelope<?> event, ControlPlaneReady ready) throws Exception {
        String namespace = ready.kubeconfigSecret().namespace();
        String clusterName = clusterName(ready);
        Move move = store.startOrResume(Move.starting(ready.clusterId(), Direction.PIVOT, namespace, clusterName,
                event.correlationId(), ready.apiEndpoint()));
        if (move.step() == MoveStep.FAILED && store.retry(move.clusterId(), Direction.PIVOT, REASON_INCOMPLETE,
                List.of())) {
            LOG.infof("The move of %s/%s goes on from where it stopped", namespace, clusterName);
        } else if (move.step().ended()) {
            LOG.infof("The move of %s/%s has already ended (%s)", namespace, clusterName, move.step());
            return;
        }
        loop.enqueue(move.key(), Duration.ZERO);
    }

    /** Starts moving a pivoted cluster back into the management cluster, before it is deleted there. */
    public Move reversePivot(Move pivot, String correlationId) throws Exception {
        Move reverse = store.startOrResume(Move.starting(pivot.clusterId(), Direction.REVERSE_PIVOT, pivot.namespace(),
                pivot.clusterName(), correlationId, pivot.apiEndpoint()));
        // a deletion asked for again takes up a reverse pivot that failed: where it stopped, or from the start
        if (reverse.step() == MoveStep.FAILED && store.retry(reverse.clusterId(), Direction.REVERSE_PIVOT,
                REASON_INCOMPLETE, List.of(REASON_PREFLIGHT, REASON_ROLLED_BACK))) {
            reverse = store.find(reverse.clusterId(), Direction.REVERSE_PIVOT).orElseThrow();
        }
        if (!reverse.step().ended()) {
            loop.enqueue(reverse.key(), Duration.ZERO);
        }
        return reverse;
    }

    public Optional<Move> find(String clusterId, Direction direction) throws Exception {
        return store.find(clusterId, direction);
    }

    /** One reconcile of a move: as many steps as can be done now. */
    private Optional<Duration> reconcile(String key) {
        String clusterId = key.substring(0, key.lastIndexOf('/'));
        Direction direction = Direction.valueOf(key.substring(key.lastIndexOf('/') + 1));
        MDC.put("clusterId", clusterId);
        try {
            if (store.find(clusterId, direction).isEmpty()) {
                return Optional.empty();
            }
            if (!store.claim(clusterId, direction, replica, LEASE)) {
                return Optional.of(config.pollInterval());
            }
            try {
                return advance(clusterId, direction);
            } finally {
                store.release(clusterId, direction, replica);
            }
        } catch (Exception e) {
            LOG.errorf("The move %s could not be advanced: %s", key, e.toString());
            return Optional.of(config.pollInterval());
        } finally {
            MDC.remove("clusterId");
        }
    }

    private Optional<Duration> advance(String clusterId, Direction direction) throws Exception {
        while (true) {
            Move move = store.find(clusterId, direction).orElseThrow();
            if (move.step().ended()) {
                return Optional.empty();
            }
            MoveStep next = direction.next(move.step());
            if (next == MoveStep.DONE) {
                finish(move);
                return Optional.empty();
            }
            StepOutcome outcome;
            try (MoveContext context = new MoveContext(move, management, workloadHttpClients,
                    managementKinds)) {
                try {
                    outcome = steps.run(next, context);
                } catch (UnplaceableObjectException e) {
                    outcome = StepOutcome.failed(failureReason(move, next), e.getMessage());
                } catch (RuntimeException e) {
                    if (move.attempts() + 1 < config.attempts()) {
                        LOG.warnf("Could not %s %s/%s (attempt %d of %d): %s", describe(next), move.namespace(),
                                move.clusterName(), move.attempts() + 1, config.attempts(), e.toString());
                        store.waiting(clusterId, direction, "retrying after: " + e.getMessage(), true);
                        return Optional.of(backoff(move.attempts()));
                    }
                    outcome = StepOutcome.failed(failureReason(move, next), "could not " + describe(next) + " after "
                            + config.attempts() + " attempts: " + e.getMessage());
                }
                if (outcome instanceof StepOutcome.Done) {
                    store.step(clusterId, direction, next);
                    recordDuration(move, next);
                } else if (outcome instanceof StepOutcome.Recorded) {
                    recordDuration(move, next);
                } else if (outcome instanceof StepOutcome.Paced paced) {
                    return Optional.of(Duration.ofMillis(paced.millis()));
                } else if (outcome instanceof StepOutcome.Waiting waiting) {
                    Duration waited = Duration.between(move.stepStartedAt(), Instant.now());
                    if (waited.compareTo(steps.timeout(next)) > 0) {
                        fail(context, StepOutcome.failed(failureReason(move, next), "gave up after " + waited.toSeconds()
                                + " s waiting for " + waiting.why()));
                        return Optional.empty();
                    }
                    if (!waiting.why().equals(move.waitingFor())) {
                        LOG.infof("%s/%s waits for %s", move.namespace(), move.clusterName(), waiting.why());
                        store.waiting(clusterId, direction, waiting.why(), false);
                    }
                    return Optional.of(config.pollInterval());
                } else if (outcome instanceof StepOutcome.Failed failed) {
                    fail(context, failed);
                    return Optional.empty();
                }
            }
        }
    }

    private static Duration backoff(int attempts) {
        return Duration.ofMillis(Math.min(30_000, 200L << Math.min(attempts, 10)));
    }

    /**
     * Before the pause nothing of the cluster changed; from the pause on, until every object exists in the target,
     * the move is rolled back (which unpauses the source, also when the pause itself failed halfway); after that it
     * can only go forward.
     */
    private static String failureReason(Move move, MoveStep failing) {
        if (failing.beforePause()) {
            return REASON_PREFLIGHT;
        }
        return move.step().reached(MoveStep.CREATED) ? REASON_INCOMPLETE : REASON_ROLLED_BACK;
    }

    private void fail(MoveContext context, StepOutcome.Failed failed) throws Exception {
        Move move = context.move();
        String message = failed.message();
        String reason = failed.reason();
        if (REASON_PREFLIGHT.equals(reason)) {
            message = message + "; nothing was moved";
        } else if (REASON_ROLLED_BACK.equals(reason)) {
            Optional<String> rollBackFailure = steps.rollBack(context);
            if (rollBackFailure.isEmpty()) {
                message = message + "; the move was rolled back and the cluster stays managed by the "
                        + (move.direction() == Direction.PIVOT ? "management" : "workload") + " cluster";
            } else {
                reason = REASON_INCOMPLETE;
                message = "the move failed (" + message + ") and could not be rolled back (" + rollBackFailure.get()
                        + "): the Cluster may be paused and half-moved";
            }
        } else {
            List<String> left = store.objects(move.clusterId(), move.direction()).stream()
                    .filter(o -> o.deleteFromSource() && !o.deleted()).map(MovedObject::describe).toList();
            message = "the move of " + move.namespace() + "/" + move.clusterName() + " stopped after every object"
                    + " was created in the " + MoveSteps.targetName(move) + ": " + message + "; still in the source: "
                    + left + "; " + (move.direction() == Direction.PIVOT ? "its ControlPlaneReady event coming again"
                    : "deleting the cluster again") + " takes it up where it stopped";
        }
        LOG.errorf("%s of %s/%s failed (%s): %s", move.direction(), move.namespace(), move.clusterName(), reason,
                message);
        String failure = reason + ": " + message;
        if (move.direction() == Direction.PIVOT) {
            outbox.appendIf(connection -> store.failed(connection, move.clusterId(), move.direction(), failure),
                    EventEnvelope.create(messaging.eventSource(), move.correlationId(), new ProvisioningFailed(
                            move.clusterId(), Stage.PIVOTED, reason, message, Instant.now())));
        } else {
            store.failed(move.clusterId(), move.direction(), failure);
        }
        ended(move);
    }

    /** The last step: the move is reported. */
    private void finish(Move move) throws Exception {
        if (move.direction() == Direction.PIVOT) {
            List<ObjectReference> moved = store.objects(move.clusterId(), move.direction()).stream()
                    .map(o -> new ObjectReference(o.apiVersion(), o.kind(), o.namespace(), o.name())).toList();
            outbox.appendIf(connection -> store.done(connection, move.clusterId(), move.direction()),
                    EventEnvelope.create(messaging.eventSource(), move.correlationId(),
                            new Pivoted(move.clusterId(), move.apiEndpoint(), moved, Instant.now())));
            LOG.infof("%s/%s pivoted: %d objects now live in the workload cluster", move.namespace(),
                    move.clusterName(), moved.size());
        } else {
            store.done(move.clusterId(), move.direction());
            LOG.infof("%s/%s moved back into the management cluster", move.namespace(), move.clusterName());
        }
        ended(move);
    }

    private void ended(Move move) throws Exception {
        Move ended = store.find(move.clusterId(), move.direction()).orElseThrow();
        for (Consumer<Move> listener : endListeners) {
            listener.accept(ended);
        }
    }

    /** {@code pivotplane_pivot_step_seconds{step}}: how long each step of a move took, waits included. */
    private void recordDuration(Move move, MoveStep step) {
        Timer.builder("pivotplane.pivot.step")
                .description("Duration of each step of a move, from installing the agent to the unpause, waits included")
                .tag("step", step.name().toLowerCase())
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.between(move.stepStartedAt(), Instant.now()));
    }

    private static String describe(MoveStep step) {
        return switch (step) {
            case AGENT_INSTALLED -> "install the agent";
            case BOOTSTRAP_APPLIED -> "apply the bootstrap layer";
            case BOOTSTRAP_READY -> "follow the bootstrap layer's rollout";
            case PROVISIONED -> "check the cluster's provisioning";
            case CERT_MANAGER_APPLIED -> "install cert-manager";
            case CERT_MANAGER_READY -> "follow cert-manager's rollout";
            case PROVIDERS_APPLIED -> "install the providers";
            case PROVIDERS_READY -> "check the target's providers";
            case PAUSED -> "pause the Cluster";
            case COLLECTED -> "collect the object graph";
            case CREATED -> "create the objects in the target";
            case DELETED -> "delete the objects from the source";
            case UNPAUSED -> "unpause the Cluster in the target";
            default -> step.name();
        };
    }

    /** The Cluster's name, from its kubeconfig Secret's, which CAPI names {@code <cluster>-kubeconfig}. */
    static String clusterName(ControlPlaneReady ready) {
        String secret = ready.kubeconfigSecret().name();
        String suffix = Capi.kubeconfigSecretName("");
        if (!secret.endsWith(suffix) || secret.length() == suffix.length()) {
            throw new PermanentEventException("kubeconfig Secret '" + secret + "' is not named <cluster>-kubeconfig");
        }
        return secret.substring(0, secret.length() - suffix.length());
    }

    /** Moves being worked on or waiting, for tests and metrics. */
    public int active() {
        return loop == null ? 0 : loop.size();
    }
}
