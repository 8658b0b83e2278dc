package io.pivotplane.agent.core;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.helm.ChartRenderer;
import io.pivotplane.agent.helm.ChartRepositoryClient;
import io.pivotplane.agent.k8s.ConfigMapReportStore;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.agent.messaging.CommandRetryException;
import io.pivotplane.agent.messaging.KafkaAgentChannel;
import io.pivotplane.capi.k8s.CapiKinds;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.AgentVersions;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.events.model.Condition;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of one workload cluster. It talks to its own cluster's API and to Kafka only: it reads the
 * desired spec that moved in with the cluster, scales the cluster, applies add-ons on command, and reports,
 * through its {@link AgentChannel}.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    static final String CONDITION_DELETED = "Deleted";
    static final String CONDITION_REPORTS_DELIVERED = "ReportsDelivered";
    static final String UNNAMED_ADDON = "(none)";
    static final int PARALLEL_INSTALLS = 4;

    private final AgentConfig config;
    private final URI source;
    private final ClusterScaler scaler;
    private final AddonInstaller installer;
    private final AgentChannel channel;
    private final ReportBuffer reports;
    private final ScheduledExecutorService scheduler;
    /** Add-ons install in parallel, each waiting for its own rollout, while commands keep being read. */
    private final ExecutorService installs;
    private final ScheduledExecutorService repairs;
    /** By the plural of their kind. */
    private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
    private final AtomicBoolean lookPending = new AtomicBoolean();
    /** By {@code apiVersion/kind}: the objects of installed add-ons, whose changes start a repair at once. */
    private final Map<String, SharedIndexInformer<GenericKubernetesResource>> addonWatches = new ConcurrentHashMap<>();
    private final AtomicBoolean repairPending = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile boolean reportedScaled;
    private final KubernetesClient client;

    private Agent(AgentConfig config, KubernetesClient client, AgentChannel channel) {
        this.config = config;
        this.client = client;
        this.channel = channel;
        this.source = URI.create("/pivotplane/agent/" + config.clusterId());
        this.scaler = new ClusterScaler(config, client);
        this.reports = new ReportBuffer(config.clusterName(), new ConfigMapReportStore(client, config.clusterName()),
                channel::send);
        this.installer = new AddonInstaller(client, new ChartRenderer(new ChartRepositoryClient(config.chartCache())));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("agent-" + config.clusterName()));
        this.installs = Executors.newFixedThreadPool(PARALLEL_INSTALLS, daemon("agent-addons-" + config.clusterName()));
        this.repairs = Executors.newSingleThreadScheduledExecutor(daemon("agent-repair-" + config.clusterName()));
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Follows the cluster's CAPI objects of each kind once the cluster serves it: the agent starts before Cluster
     * API's providers are installed in its cluster, one after the other, and looks on its heartbeat until then.
     */
    private void followCapiObjects() {
        for (var kind : List.of(CapiKinds.CLUSTERS, CapiKinds.KUBEADM_CONTROL_PLANES, CapiKinds.MACHINE_DEPLOYMENTS)) {
            if (!informers.containsKey(kind.getPlural()) && CapiKinds.served(client, kind)) {
                informers.put(kind.getPlural(), client.genericKubernetesResources(kind)
                        .inNamespace(config.namespace()).inform(new LookAgain(), 0));
            }
        }
    }

    /** Starts the agent of a cluster with Kafka clients of its own, as in production. */
    public static Agent start(AgentConfig config, KubernetesClient client) {
        return start(config, client, KafkaAgentChannel.open(config));
    }

    /** Starts the agent of a cluster on the given channel, which it closes when it stops. */
    public static Agent start(AgentConfig config, KubernetesClient client, AgentChannel channel) {
        Agent agent = new Agent(config, client, channel);
        agent.reports.start();
        channel.receive(agent::handle);
        agent.scheduler.scheduleWithFixedDelay(agent::heartbeat, 0, config.heartbeatInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        agent.repairs.scheduleWithFixedDelay(agent::repairAddons, config.addonRepairInterval().toMillis(),
                config.addonRepairInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Agent {} of cluster {} ({}) started", AgentVersions.current(), config.clusterName(), config.clusterId());
        return agent;
    }

    private final class LookAgain implements ResourceEventHandler<GenericKubernetesResource> {
        @Override
        public void onAdd(GenericKubernetesResource object) {
            if (lookPending.compareAndSet(false, true)) {
                scheduler.execute(() -> look(false));
            }
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource object) {
            onAdd(object);
        }

        @Override
        public void onDelete(GenericKubernetesResource object, boolean deletedFinalStateUnknown) {
            onAdd(object);
        }
    }

    private void heartbeat() {
        look(true);
    }

    /** Scales the cluster if needed; reports a heartbeat when asked, and the moment the cluster is scaled. */
    private void look(boolean heartbeat) {
        lookPending.set(false);
        try {
            followCapiObjects();
            ClusterScaler.Observation observation = scaler.reconcile();
            boolean newlyScaled = observation.scaled() && !reportedScaled;
            if (newlyScaled || heartbeat) {
                AgentReport.Kind kind = newlyScaled ? AgentReport.Kind.SCALED : AgentReport.Kind.HEARTBEAT;
                report(new AgentReport(config.clusterId(), kind, Instant.now(), observation.machines(),
                        withReportsDelivered(observation.conditions()), null, null, List.of()), config.clusterId());
                if (newlyScaled) {
                    reportedScaled = true;
                    LOG.info("Cluster {} reached its desired size: {}", config.clusterName(), observation.machines());
                }
            }
            observation.change().ifPresent(end -> reportChangeEnd(end, observation));
        } catch (RuntimeException e) {
            LOG.warn("Agent of {} could not look at its cluster: {}", config.clusterName(), e.toString());
        }
    }

    private void reportChangeEnd(ClusterScaler.ChangeEnd end, ClusterScaler.Observation observation) {
        AgentReport.Kind kind = end.applied() ? AgentReport.Kind.CHANGE_APPLIED : AgentReport.Kind.CHANGE_FAILED;
        report(new AgentReport(config.clusterId(), kind, Instant.now(), observation.machines(),
                observation.conditions(), end.commandId(), null, List.of()), config.clusterId());
        scaler.reported(end.generation());
        LOG.info("Cluster {}: spec generation {} {}", config.clusterName(), end.generation(),
                end.applied() ? "rolled out" : "failed: " + end.message());
    }

    /** Says when reports were lost because the plane stayed away longer than the report buffer holds. */
    private List<Condition> withReportsDelivered(List<Condition> conditions) {
        long dropped = reports.dropped();
        if (dropped == 0) {
            return conditions;
        }
        List<Condition> all = new ArrayList<>(conditions);
        all.add(new Condition(CONDITION_REPORTS_DELIVERED, "False", "BufferFull", dropped + " report(s) dropped: the"
                + " plane was unreachable for longer than " + ReportBuffer.CAPACITY + " reports", Instant.now()));
        return all;
    }

    private void handle(EventEnvelope<?> event) {
        if (!(event.payload() instanceof AgentCommand command) || !config.clusterId().equals(command.clusterId())) {
            return;
        }
        switch (command.kind()) {
            case INSTALL_ADDON, UNINSTALL_ADDON -> installs.execute(() -> {
                AddonResult result = install(command);
                repairs.execute(this::watchAddonObjectsQuietly);
                report(new AgentReport(config.clusterId(), AgentReport.Kind.ADDON_RESULT, Instant.now(), null,
                        List.of(), command.commandId(), result, List.of()), event.correlationId());
            });
            case DELETE_CLUSTER -> report(refuseDeletion(command), event.correlationId());
            case APPLY_SPEC -> keepSpec(command);
            default -> LOG.warn("Agent of {} does not know how to {} (command {})", config.clusterName(),
                    command.kind(), command.commandId());
        }
    }

    /**
     * Keeps the spec of a change in the cluster itself before the command counts as read (the channel commits it
     * once this returns), so that an agent that stops right after still has it; then applies it at once. From there
     * the agent needs nothing from the plane to roll the cluster to it, and reports the end when the plane is there to
     * hear it. An API server that cannot take the spec now has the command handed over again.
     *
     * @throws CommandRetryException when the spec could not be kept yet
     */
    private void keepSpec(AgentCommand command) {
        Future<Boolean> kept;
        try {
            // on the scheduler, which looks at the cluster too: a look never sees half of a change
            kept = scheduler.submit(() -> acceptSpec(command));
        } catch (RejectedExecutionException e) {
            throw new CommandRetryException("the agent is stopping", e);
        }
        while (true) {
            try {
                if (kept.get(1, TimeUnit.SECONDS)) {
                    scheduler.execute(() -> look(false));
                }
                return;
            } catch (TimeoutException e) {
                if (!running) {
                    kept.cancel(false);
                    throw new CommandRetryException("the agent stopped before it kept spec generation "
                            + command.generation(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandRetryException("interrupted while keeping spec generation " + command.generation(), e);
            } catch (ExecutionException e) {
                throw new CommandRetryException("the cluster's API server did not take spec generation "
                        + command.generation() + ": " + e.getCause().getMessage(), e.getCause());
            } catch (RejectedExecutionException e) {
                throw new CommandRetryException("the agent is stopping", e);
            }
        }
    }

    /**
     * @return whether the spec is kept now (false: the cluster has it or a newer one, or it is refused and the
     *     refusal reported)
     * @throws KubernetesClientException when the API server cannot take it now
     */
    private boolean acceptSpec(AgentCommand command) {
        try {
            if (!scaler.accept(command.spec(), command.generation(), command.commandId())) {
                return false;
            }
        } catch (IllegalStateException | KubernetesClientException e) {
            if (e instanceof KubernetesClientException unavailable && !ClusterScaler.refused(unavailable)) {
                throw unavailable;
            }
            // no desired spec in the cluster, or the API server refuses it: no retry changes that, so the plane
            // hears the change failed
            LOG.warn("Agent of {} cannot take spec generation {}: {}", config.clusterName(), command.generation(),
                    e.toString());
            Instant now = Instant.now();
            report(new AgentReport(config.clusterId(), AgentReport.Kind.CHANGE_FAILED, now, null,
                    List.of(new Condition(ClusterScaler.CONDITION_CHANGED, "False", "NotTaken",
                            "the agent could not keep the new spec in its cluster: " + e.getMessage(), now)),
                    command.commandId(), null, List.of()), command.clusterId());
            return false;
        }
        LOG.info("Cluster {} changes to spec generation {} (command {})", config.clusterName(),
                command.generation(), command.commandId());
        return true;
    }

    /** Installs or uninstalls the command's add-on; a command without one is answered as failed, saying so. */
    private AddonResult install(AgentCommand command) {
        if (command.addon() == null) {
            LOG.warn("Agent of {} got command {} to {} no add-on", config.clusterName(), command.commandId(),
                    command.kind());
            return new AddonResult(UNNAMED_ADDON, AddonResult.State.FAILED,
                    "command " + command.commandId() + " names no add-on to "
                            + (command.kind() == AgentCommand.Kind.UNINSTALL_ADDON ? "uninstall" : "install"));
        }
        return command.kind() == AgentCommand.Kind.UNINSTALL_ADDON ? installer.uninstall(command.addon())
                : installer.install(command.addon());
    }

    /**
     * Refuses to delete its own cluster: torn down from inside, a self-managed cluster loses the controllers doing
     * the work with its last control-plane machine, halfway. pivot-service moves the cluster back into the
     * management cluster and deletes it there; a command to do otherwise (from an older plane, or not from the
     * plane at all) is answered with why not.
     */
    private AgentReport refuseDeletion(AgentCommand command) {
        LOG.warn("Agent of {} refuses command {} to delete its own cluster", config.clusterName(), command.commandId());
        Instant now = Instant.now();
        return new AgentReport(config.clusterId(), AgentReport.Kind.DELETION_FAILED, now, null,
                List.of(new Condition(CONDITION_DELETED, "False", "DeletedFromManagementCluster",
                        "a cluster that manages itself is moved back into the management cluster to be deleted;"
                                + " its agent does not delete it", now)),
                command.commandId(), null, List.of());
    }

    /**
     * Puts back what someone deleted or changed of the installed add-ons, and reports each repair. It needs only its
     * own cluster: with the management plane away the repairs go on, and their reports wait in the report buffer.
     */
    private void repairAddons() {
        repairPending.set(false);
        List<AddonInstaller.Repair> made;
        try {
            made = installer.repairDrift();
            watchAddonObjects();
        } catch (RuntimeException e) {
            LOG.warn("Agent of {} could not look for add-on drift: {}", config.clusterName(), e.toString());
            return;
        }
        for (AddonInstaller.Repair repair : made) {
            report(new AgentReport(config.clusterId(), AgentReport.Kind.ADDON_REPAIRED, Instant.now(), null,
                    List.of(), null, new AddonResult(repair.addon(), AddonResult.State.REPAIRED,
                    String.join("; ", repair.objects())), List.of()), config.clusterId());
        }
    }

    private void watchAddonObjectsQuietly() {
        try {
            watchAddonObjects();
        } catch (RuntimeException e) {
            LOG.warn("Agent of {} could not list its add-ons' kinds: {}", config.clusterName(), e.toString());
        }
    }

    /**
     * Watches the kinds the installed add-ons applied (their objects only, by label): a change or a deletion starts a
     * repair at once, the period catching what a watch missed.
     */
    private void watchAddonObjects() {
        for (String kind : installer.recordedKinds()) {
            if (addonWatches.containsKey(kind) || !running) {
                continue;
            }
            int slash = kind.lastIndexOf('/');
            try {
                addonWatches.put(kind, client.genericKubernetesResources(kind.substring(0, slash),
                                kind.substring(slash + 1)).inAnyNamespace().withLabel(AddonInstaller.ADDON_LABEL)
                        .inform(new RepairSoon(), 0));
            } catch (RuntimeException e) {
                LOG.warn("Agent of {} cannot watch {} of its add-ons (the period repairs them): {}",
                        config.clusterName(), kind, e.toString());
            }
        }
    }

    private final class RepairSoon implements ResourceEventHandler<GenericKubernetesResource> {
        @Override
        public void onAdd(GenericKubernetesResource object) {
            // what the watch lists at its start, and what an install creates: nothing to repair
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource object) {
            // a controller writing status (most updates) is no drift
            if (!ObjectDrift.sameBesidesStatus(before, object)) {
                soon();
            }
        }

        @Override
        public void onDelete(GenericKubernetesResource object, boolean deletedFinalStateUnknown) {
            soon();
        }

        private void soon() {
            if (running && repairPending.compareAndSet(false, true)) {
                repairs.execute(Agent.this::repairAddons);
            }
        }
    }

    /** Queues a report behind those not sent yet; it never waits for the plane. */
    private void report(AgentReport report, String correlationId) {
        reports.add(EventEnvelope.create(source, correlationId, report.fromAgent(AgentVersions.current())));
    }

    public boolean isRunning() {
        return running && channel.isReceiving();
    }

    @Override
    public void close() {
        running = false;
        informers.values().forEach(SharedIndexInformer::close);
        addonWatches.values().forEach(SharedIndexInformer::close);
        scheduler.shutdownNow();
        repairs.shutdownNow();
        installs.shutdownNow();
        reports.close();
        channel.close();
        LOG.info("Agent of cluster {} stopped", config.clusterName());
    }
}
