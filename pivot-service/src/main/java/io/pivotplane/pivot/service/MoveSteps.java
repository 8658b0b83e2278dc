package io.pivotplane.pivot.service;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.capi.k8s.RolloutProgress;
import io.pivotplane.events.access.PlaneAccess;
import io.pivotplane.kit.messaging.AgentKeys;
import io.pivotplane.pivot.domain.AgentIdentities;
import io.pivotplane.pivot.domain.LastUsed;
import io.pivotplane.pivot.config.PivotConfig;
import io.pivotplane.pivot.domain.MovePlan;
import io.pivotplane.pivot.domain.TargetProviders;
import io.pivotplane.pivot.k8s.MoveOperations;
import io.pivotplane.pivot.k8s.MoverAccess;
import io.pivotplane.pivot.k8s.ProviderInstaller;
import io.pivotplane.pivot.k8s.ProviderInventory;
import io.pivotplane.pivot.k8s.WorkloadBootstrap;
import io.pivotplane.pivot.persistence.Direction;
import io.pivotplane.pivot.persistence.Move;
import io.pivotplane.pivot.persistence.MoveStep;
import io.pivotplane.pivot.persistence.MoveStore;
import io.pivotplane.pivot.persistence.MovedObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Each step of a move as a function of what the clusters hold now, in the order of {@link MoveStep}: it does what
 * can be done at once and says whether the step is complete, waits, or cannot succeed. Every write is a desired
 * state or recorded before the next, so running a step again after a crash changes nothing that was done.
 */
final class MoveSteps {

    static final String REASON_PREFLIGHT = "PivotPreflightFailed";
    static final String REASON_ROLLED_BACK = "PivotRolledBack";
    static final String REASON_INCOMPLETE = "PivotIncomplete";

    private static final Logger LOG = Logger.getLogger(MoveSteps.class);

    private final PivotConfig config;
    private final AgentKeys agentKeys;
    private final AgentIdentities agentIdentities;
    private final MoveStore store;
    private final ProviderInstaller installer;
    /** What each wait under way found rolled out, by move and step: a pivot-service started again asks anew. */
    private final LastUsed<String, RolloutProgress> rollouts = new LastUsed<>(1024);

    MoveSteps(PivotConfig config, MoveStore store, ProviderInstaller installer, AgentKeys agentKeys,
              AgentIdentities agentIdentities) {
        this.agentKeys = agentKeys;
        this.agentIdentities = agentIdentities;
        this.config = config;
        this.store = store;
        this.installer = installer;
    }

    StepOutcome run(MoveStep step, MoveContext context) throws Exception {
        StepOutcome outcome = runOnce(step, context);
        if (!(outcome instanceof StepOutcome.Waiting || outcome instanceof StepOutcome.Paced)) {
            rollouts.remove(rolloutKey(step, context));
        }
        return outcome;
    }

    private RolloutProgress rollout(MoveStep step, MoveContext context) {
        return rollouts.get(rolloutKey(step, context), key -> new RolloutProgress());
    }

    private static String rolloutKey(MoveStep step, MoveContext context) {
        return context.move().clusterId() + "/" + context.move().direction() + "/" + step;
    }

    private StepOutcome runOnce(MoveStep step, MoveContext context) throws Exception {
        return switch (step) {
            case AGENT_INSTALLED -> installAgent(context, AgentManifests.Network.HOST);
            case BOOTSTRAP_APPLIED -> applyBootstrapLayer(context);
            case BOOTSTRAP_READY -> awaitBootstrapLayer(context);
            case PROVISIONED -> awaitProvisioned(context);
            case CERT_MANAGER_APPLIED -> applyComponents(context, installer.certManager());
            case CERT_MANAGER_READY -> awaitComponents(context, installer.certManager());
            case PROVIDERS_APPLIED -> applyProviders(context);
            case PROVIDERS_READY -> awaitProvidersAndCheckTarget(context);
            case PAUSED -> pause(context);
            case COLLECTED -> collect(context);
            case CREATED -> createInTarget(context);
            case DELETED -> deleteFromSource(context);
            case UNPAUSED -> unpause(context);
            case STARTED, DONE, FAILED -> throw new IllegalArgumentException(step + " is not a step to run");
        };
    }

    /** How long a step may wait before the move gives up; what the step waits for says why. */
    java.time.Duration timeout(MoveStep step) {
        return switch (step) {
            case AGENT_INSTALLED, BOOTSTRAP_APPLIED, BOOTSTRAP_READY -> config.bootstrapTimeout();
            case CERT_MANAGER_APPLIED, CERT_MANAGER_READY, PROVIDERS_APPLIED, PROVIDERS_READY ->
                    config.providersTimeout();
            default -> config.preflightTimeout();
        };
    }

    private StepOutcome installAgent(MoveContext context, AgentManifests.Network network) throws Exception {
        if (network == AgentManifests.Network.HOST) {
            // the agent signs in to Kafka as itself: its principal and grants exist before it first starts. Not again
            // when it moves to the pod network: SCRAM's 4,096 rounds of salting made it a tenth of a pivot's CPU
            agentIdentities.issue(context.move().clusterId());
        }
        MoveOperations.apply(context.workload(), agentManifests(context.move(), network));
        return StepOutcome.done();
    }

    private List<HasMetadata> agentManifests(Move move, AgentManifests.Network network) {
        // the agent's own key, in the Secret it is installed with: it signs its reports and checks our commands;
        // and its own Kafka principal, which may read only its cluster's commands
        AgentConfig agent = new AgentConfig(move.clusterId(), move.clusterName(), move.namespace(),
                config.agentKafkaBootstrapServers(), config.agentHeartbeat(),
                Base64.getEncoder().encodeToString(agentKeys.keyOf(move.clusterId())),
                new AgentConfig.KafkaAccount(config.agentKafkaSecurityProtocol(),
                        PlaneAccess.agentPrincipal(move.clusterId()), agentKeys.kafkaPasswordOf(move.clusterId())),
                config.agentAddonRepairInterval(), AgentConfig.DEFAULT_CHART_CACHE);
        return AgentManifests.render(agent, config.agentImage(), network);
    }

    private StepOutcome applyBootstrapLayer(MoveContext context) {
        try {
            WorkloadBootstrap.cloudCredentials(context.management(), context.spec())
                    .ifPresent(secret -> DesiredState.ensure(context.workload(), secret));
        } catch (WorkloadBootstrap.MissingCredentialsException e) {
            return StepOutcome.waiting(e.getMessage());
        }
        MoveOperations.apply(context.workload(), WorkloadBootstrap.layer(context.workload(), context.spec()));
        return StepOutcome.done();
    }

    /** The layer rolled out and the agent running; then the agent leaves the host's network for the pod network. */
    private StepOutcome awaitBootstrapLayer(MoveContext context) throws Exception {
        RolloutProgress progress = rollout(MoveStep.BOOTSTRAP_READY, context);
        List<String> pending = new ArrayList<>(progress.pending(context.workload(),
                WorkloadBootstrap.layer(context.workload(), context.spec())));
        pending.addAll(progress.pending(context.workload(), agentManifests(context.move(),
                AgentManifests.Network.HOST)));
        if (!pending.isEmpty()) {
            return StepOutcome.waiting("the bootstrap layer to roll out on the first control-plane node: "
                    + String.join("; ", pending));
        }
        return installAgent(context, AgentManifests.Network.POD);
    }

    private StepOutcome awaitProvisioned(MoveContext context) {
        List<String> problems = MoveOperations.provisioningProblems(context.source(), context.move().namespace(),
                context.move().clusterName());
        return problems.isEmpty() ? StepOutcome.done()
                : StepOutcome.waiting("Cluster API to finish provisioning: " + String.join("; ", problems));
    }

    private StepOutcome applyComponents(MoveContext context, List<ProviderComponents> components) {
        if (config.installProviders()) {
            installer.apply(context.source(), context.target(), components);
        }
        return StepOutcome.done();
    }

    private StepOutcome awaitComponents(MoveContext context, List<ProviderComponents> components) {
        if (!config.installProviders()) {
            return StepOutcome.done();
        }
        List<String> pending = installer.pending(context.target(), components,
                rollout(MoveStep.CERT_MANAGER_READY, context));
        return pending.isEmpty() ? StepOutcome.done()
                : StepOutcome.waiting("the providers to roll out in the workload cluster: " + String.join("; ", pending));
    }

    private StepOutcome applyProviders(MoveContext context) {
        applyComponents(context, installer.providers(context.spec().infrastructure().provider()));
        MoveOperations.apply(context.workload(), MoverAccess.objects());
        return StepOutcome.done();
    }

    /**
     * What clusterctl checks before it moves anything: the target runs the providers the objects need, and the
     * object graph is whole. Then pivot-service keeps its own way back into the workload cluster.
     */
    private StepOutcome awaitProvidersAndCheckTarget(MoveContext context) {
        Move move = context.move();
        String infrastructure = context.spec().infrastructure().provider();
        if (move.direction() == Direction.PIVOT) {
            RolloutProgress progress = rollout(MoveStep.PROVIDERS_READY, context);
            List<String> pending = new ArrayList<>(awaitComponentsPending(context, infrastructure, progress));
            pending.addAll(progress.pending(context.workload(), agentManifests(move, AgentManifests.Network.POD)));
            if (!pending.isEmpty()) {
                return StepOutcome.waiting("the providers to roll out in the workload cluster: "
                        + String.join("; ", pending));
            }
        }
        List<String> providers = TargetProviders.check(ProviderInventory.read(context.source()),
                ProviderInventory.read(context.target()), TargetProviders.usedBy(infrastructure));
        if (!providers.isEmpty()) {
            String why = "the " + targetName(move) + " cannot reconcile the cluster's objects: "
                    + String.join("; ", providers);
            // providers someone else installs (a node image, a GitOps tool) may still be on their way
            return move.direction() == Direction.PIVOT && !config.installProviders() ? StepOutcome.waiting(why)
                    : StepOutcome.failed(REASON_PREFLIGHT, why);
        }
        MovePlan plan = MoveOperations.plan(context.source(), context.sourceKinds(), move.namespace(),
                move.clusterName());
        if (!plan.problems().isEmpty()) {
            return StepOutcome.failed(REASON_PREFLIGHT, "the cluster's objects cannot move as they are: "
                    + String.join("; ", plan.problems()));
        }
        if (move.direction() == Direction.PIVOT) {
            var kubeconfig = MoverAccess.kubeconfigSecret(context.workload(), move.apiEndpoint(), move.namespace(),
                    move.clusterId());
            if (kubeconfig.isEmpty()) {
                return StepOutcome.waiting("the token of pivot-service's account " + MoverAccess.NAME
                        + " in the workload cluster");
            }
            DesiredState.ensure(context.management(), kubeconfig.get());
        }
        return StepOutcome.done();
    }

    private List<String> awaitComponentsPending(MoveContext context, String infrastructure,
                                                RolloutProgress progress) {
        if (!config.installProviders()) {
            return List.of();
        }
        return installer.pending(context.target(), installer.providers(infrastructure), progress);
    }

    private StepOutcome pause(MoveContext context) {
        MoveOperations.setPaused(context.source(), context.move().namespace(), context.move().clusterName(), true);
        return StepOutcome.done();
    }

    /**
     * The object graph once the source's controllers have stopped: recorded whole, with the step, so that a move
     * never has half a graph. Objects marked {@code block-move} hold it back as clusterctl's {@code waitReadyForMove}
     * does.
     */
    private StepOutcome collect(MoveContext context) throws Exception {
        Move move = context.move();
        MovePlan plan = MoveOperations.plan(context.source(), context.sourceKinds(), move.namespace(),
                move.clusterName());
        if (!plan.problems().isEmpty()) {
            return StepOutcome.failed(REASON_ROLLED_BACK, "the cluster's objects changed and cannot move: "
                    + String.join("; ", plan.problems()));
        }
        if (!plan.blocking().isEmpty()) {
            return StepOutcome.waiting("objects that block the move (clusterctl.cluster.x-k8s.io/block-move): "
                    + plan.blocking());
        }
        List<MovedObject> objects = new ArrayList<>();
        for (MovePlan.PlannedObject planned : plan.objects()) {
            var id = planned.identity();
            objects.add(new MovedObject(objects.size(), id.apiVersion(), id.kind(),
                    id.clusterScoped() ? null : id.namespace(), id.name(), id.uid(), java.util.Optional.empty(),
                    planned.deleteFromSource(), planned.keepIfExists(), false));
        }
        store.collected(move.clusterId(), move.direction(), objects);
        return new StepOutcome.Recorded();
    }

    /**
     * Creates the graph in the target, owners first, each object recorded as it is created; with an object delay
     * set, one object per reconcile, so that a move can be watched, or stopped midway in a test.
     */
    private StepOutcome createInTarget(MoveContext context) throws Exception {
        Move move = context.move();
        List<MovedObject> objects = store.objects(move.clusterId(), move.direction());
        Set<String> namespaces = new LinkedHashSet<>();
        objects.stream().map(MovedObject::namespace).filter(java.util.Objects::nonNull).forEach(namespaces::add);
        namespaces.forEach(namespace -> MoveOperations.ensureNamespace(context.target(), namespace));
        Map<String, String> targetUids = new HashMap<>();
        objects.forEach(o -> o.targetUid().ifPresent(uid -> targetUids.put(o.sourceUid(), uid)));
        int done = targetUids.size();
        for (MovedObject object : objects) {
            if (object.targetUid().isPresent()) {
                continue;
            }
            String uid = MoveOperations.create(context.sourceKinds(), context.targetKinds(), object, targetUids);
            store.created(move.clusterId(), move.direction(), object.position(), uid);
            targetUids.put(object.sourceUid(), uid);
            done++;
            LOG.infof("Moved object %d of %d: %s", done, objects.size(), object.describe());
            if (!config.objectDelay().isZero() && done < objects.size()) {
                return new StepOutcome.Paced(config.objectDelay().toMillis());
            }
        }
        return StepOutcome.done();
    }

    /**
     * Deletes from the source what moved, in reverse order; what stays there (global identities, shared
     * credentials) stays. A resumed move reaches the workload cluster through pivot-service's own account there.
     */
    private StepOutcome deleteFromSource(MoveContext context) throws Exception {
        Move move = context.move();
        List<MovedObject> reversed = new ArrayList<>(store.objects(move.clusterId(), move.direction()));
        java.util.Collections.reverse(reversed);
        for (MovedObject object : reversed) {
            if (!object.deleted() && object.deleteFromSource()) {
                MoveOperations.deleteFromSource(context.sourceKinds(), object);
                store.deleted(move.clusterId(), move.direction(), object.position());
            }
        }
        return StepOutcome.done();
    }

    private StepOutcome unpause(MoveContext context) {
        MoveOperations.setPaused(context.target(), context.move().namespace(), context.move().clusterName(), false);
        return StepOutcome.done();
    }

    /**
     * Undoes a move that cannot finish: removes what it created in the target, then unpauses the source.
     *
     * @return empty when rolled back, else why not
     */
    java.util.Optional<String> rollBack(MoveContext context) {
        Move move = context.move();
        try {
            List<MovedObject> created = new ArrayList<>(store.objects(move.clusterId(), move.direction()).stream()
                    .filter(o -> o.targetUid().isPresent()).toList());
            java.util.Collections.reverse(created);
            for (MovedObject object : created) {
                MoveOperations.deleteFromTarget(context.targetKinds(), object);
                store.uncreated(move.clusterId(), move.direction(), object.position());
            }
            MoveOperations.setPaused(context.source(), move.namespace(), move.clusterName(), false);
            return java.util.Optional.empty();
        } catch (Exception e) {
            return java.util.Optional.of(String.valueOf(e.getMessage()));
        }
    }

    static String targetName(Move move) {
        return move.direction() == Direction.PIVOT ? "workload cluster" : "management cluster";
    }
}
