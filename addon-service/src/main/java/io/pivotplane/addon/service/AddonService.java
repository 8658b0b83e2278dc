package io.pivotplane.addon.service;

import io.pivotplane.addon.config.AddonConfig;
import io.pivotplane.addon.domain.PlanProgress;
import io.pivotplane.addon.persistence.AddonPlans;
import io.pivotplane.addon.persistence.AgentVersionRecords;
import io.pivotplane.events.AddonsInstalled;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.AgentVersionReported;
import io.pivotplane.events.AgentVersions;
import io.pivotplane.events.ClusterChangeRequested;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ProfileChanged;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.messaging.PermanentEventException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Step 6: once a cluster has pivoted and its agent reports it at its desired size, installs the add-ons of its
 * profile through the agent in the order {@link PlanProgress} gives (layers, priorities, dependencies; independent
 * add-ons together), retrying a failed add-on a bounded number of times with a back-off. The network plugin (layer
 * {@code cni}) is not sent again: pivot-service installed it before the pivot.
 */
@ApplicationScoped
public class AddonService {

    public static final String REASON_ADDON_FAILED = "AddonFailed";
    public static final String REASON_COMMAND_UNANSWERED = "AddonCommandUnanswered";
    static final String PLAN_INSTALLING = "INSTALLING";
    static final String PLAN_INSTALLED = "INSTALLED";
    static final String PLAN_FAILED = "FAILED";

    private static final Logger LOG = Logger.getLogger(AddonService.class);

    private final AddonConfig config;
    private final MessagingConfig messaging;

    private final SpecChangeRelay specChanges;

    public AddonService(AddonConfig config, MessagingConfig messaging, SpecChangeRelay specChanges) {
        this.config = config;
        this.messaging = messaging;
        this.specChanges = specChanges;
    }

    /**
     * Whether an event is a step of a plan or of a spec change: of the agents' reports only that a cluster is scaled,
     * an add-on's result, an add-on repaired and a change's end; heartbeats and deletion reports pass by without a
     * transaction.
     */
    public static boolean needs(EventEnvelope<?> event) {
        return !(event.payload() instanceof AgentReport report)
                || report.kind() == AgentReport.Kind.SCALED || report.kind() == AgentReport.Kind.ADDON_RESULT
                || report.kind() == AgentReport.Kind.ADDON_REPAIRED || SpecChangeRelay.isAnswer(report);
    }

    /**
     * Every event is a step of one plan's state machine; the same event twice leaves it where it is. A report also
     * tells which version the cluster's agent runs: a new one is published as {@code AgentVersionReported}.
     */
    public List<EventEnvelope<?>> on(EventEnvelope<?> event, Connection tx) throws Exception {
        List<EventEnvelope<?>> caused = step(event, tx);
        if (event.payload() instanceof AgentReport report && AgentVersionRecords.record(tx, event.subject(),
                report.agentVersion(), report.reportedAt())) {
            boolean supported = AgentVersions.supports(report.agentVersion());
            LOG.infof("The agent of %s runs %s%s", event.subject(), report.agentVersion() == null
                    ? "a version older than version reporting" : "version " + report.agentVersion(),
                    supported ? "" : ", which this plane does not drive (" + AgentVersions.supportedRange() + ")");
            List<EventEnvelope<?>> all = new ArrayList<>(caused);
            all.add(EventEnvelope.create(messaging.eventSource(), event.correlationId(), new AgentVersionReported(
                    event.subject(), report.agentVersion(), supported, AgentVersions.supportedRange(),
                    report.reportedAt())));
            return all;
        }
        return caused;
    }

    private List<EventEnvelope<?>> step(EventEnvelope<?> event, Connection tx) throws Exception {
        String clusterId = event.subject();
        if (event.payload() instanceof ClusterChangeRequested
                || event.payload() instanceof AgentReport answer && SpecChangeRelay.isAnswer(answer)) {
            return specChanges.on(event, tx);
        }
        if (event.payload() instanceof AgentReport report && report.kind() == AgentReport.Kind.ADDON_RESULT
                && !AddonPlans.exists(tx, clusterId)) {
            // a result answers a command, and commands are sent only from a plan
            throw new PermanentEventException("an add-on result from the agent of " + clusterId
                    + ", a cluster of which addon-service has no plan and sent no command");
        }
        List<EventEnvelope<?>> caused = new ArrayList<>();
        if (event.payload() instanceof AgentReport report && report.kind() == AgentReport.Kind.ADDON_REPAIRED) {
            if (report.addon() != null) {
                LOG.infof("The agent of %s repaired add-on %s: %s", clusterId, report.addon().name(),
                        report.addon().message());
            }
            return caused;
        }
        AddonPlans.Plan plan = AddonPlans.lock(tx, clusterId);
        Object payload = event.payload();
        if (payload instanceof ClusterRequested requested) {
            AddonPlans.setProfile(tx, clusterId, event.correlationId(), requested.spec().profile().addons());
        } else if (payload instanceof ProfileChanged changed) {
            if (!plan.profileKnown()) {
                throw new PermanentEventException("profile generation " + changed.generation() + " of cluster "
                        + clusterId + ", whose request addon-service never saw: nothing to change");
            }
            if (changed.generation() <= plan.generation()) {
                LOG.infof("Profile generation %d of %s is not newer than generation %d: already applied",
                        changed.generation(), clusterId, plan.generation());
                return caused;
            }
            LOG.infof("Cluster %s moves to profile %s %s (generation %d)", clusterId, changed.profile().name(),
                    changed.profile().version(), changed.generation());
            AddonPlans.changeProfile(tx, clusterId, changed.generation(), changed.profile().addons());
        } else if (payload instanceof Pivoted) {
            AddonPlans.setFlag(tx, clusterId, "pivoted");
        } else if (payload instanceof AgentReport report && report.kind() == AgentReport.Kind.SCALED) {
            AddonPlans.setFlag(tx, clusterId, "scaled");
        } else if (payload instanceof AgentReport report && report.kind() == AgentReport.Kind.ADDON_RESULT
                && report.addon() != null && report.commandId() != null) {
            if (recordResult(tx, plan, report, caused)) {
                return caused;
            }
        } else {
            return caused;
        }
        advance(tx, AddonPlans.lock(tx, clusterId), caused);
        return caused;
    }

    /** @return true when the plan failed and nothing more is to be done */
    private boolean recordResult(Connection tx, AddonPlans.Plan plan, AgentReport report,
                                 List<EventEnvelope<?>> caused) throws Exception {
        var install = AddonPlans.byCommand(tx, plan.clusterId(), report.commandId());
        if (install.isEmpty() || install.get().state() != PlanProgress.InstallState.SENT
                || !PLAN_INSTALLING.equals(plan.state())) {
            return false;
        }
        AddonPlans.Install sent = install.get();
        AddonResult.State succeeded = sent.uninstall() ? AddonResult.State.REMOVED : AddonResult.State.INSTALLED;
        if (report.addon().state() == succeeded) {
            AddonPlans.result(tx, plan.clusterId(), sent.position(), sent.uninstall()
                    ? PlanProgress.InstallState.REMOVED : PlanProgress.InstallState.INSTALLED, report.addon().message());
            return false;
        }
        String why = report.addon().message() == null ? "no reason given" : report.addon().message();
        return attemptFailed(tx, plan, sent, REASON_ADDON_FAILED, why, caused);
    }

    /**
     * Sends the add-on again, after a back-off, while it has attempts left. After the last, an add-on that may
     * {@code continueOnError} is degraded and the plan goes on; any other fails the plan and the cluster.
     *
     * @return true when the plan failed
     */
    private boolean attemptFailed(Connection tx, AddonPlans.Plan plan, AddonPlans.Install sent, String reason,
                                  String why, List<EventEnvelope<?>> caused) throws Exception {
        if (sent.attempts() < config.maxAttempts()) {
            Duration backoff = backoffAfter(sent.attempts());
            LOG.warnf("Add-on %s of %s failed (attempt %d of %d): %s; sending it again in %s", sent.name(),
                    plan.clusterId(), sent.attempts(), config.maxAttempts(), why, backoff);
            AddonPlans.retryAt(tx, plan.clusterId(), sent.position(), Instant.now().plus(backoff),
                    "attempt " + sent.attempts() + " failed: " + why);
            return false;
        }
        String failure = "failed " + sent.attempts() + " time(s): " + why;
        if (sent.addon().continueOnError()) {
            LOG.warnf("Add-on %s of %s %s; it may fail (continueOnError): the cluster goes on without it",
                    sent.name(), plan.clusterId(), failure);
            AddonPlans.result(tx, plan.clusterId(), sent.position(), PlanProgress.InstallState.DEGRADED, failure);
            return false;
        }
        failPlan(tx, plan, sent, reason, "add-on '" + sent.name() + "' " + failure, caused);
        return true;
    }

    private void failPlan(Connection tx, AddonPlans.Plan plan, AddonPlans.Install install, String reason,
                          String message, List<EventEnvelope<?>> caused) throws Exception {
        AddonPlans.result(tx, plan.clusterId(), install.position(), PlanProgress.InstallState.FAILED, message);
        AddonPlans.setState(tx, plan.clusterId(), PLAN_FAILED);
        caused.add(outcome(plan, new ProvisioningFailed(plan.clusterId(), Stage.ADDONS_INSTALLED, reason, message,
                Instant.now())));
    }

    /** The pause before attempt {@code attempts + 1}: the back-off doubled per attempt, at most {@code maxRetryBackoff}. */
    Duration backoffAfter(int attempts) {
        Duration backoff = config.retryBackoff().multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 16));
        return backoff.compareTo(config.maxRetryBackoff()) > 0 ? config.maxRetryBackoff() : backoff;
    }

    /**
     * Gives up on the commands of the cluster whose answer is overdue, each as a failed attempt: an agent that is
     * gone, or that cannot read its commands, does not hold the cluster at Pivoted.
     */
    public List<EventEnvelope<?>> expireUnanswered(Connection tx, String clusterId) throws Exception {
        List<EventEnvelope<?>> caused = new ArrayList<>();
        AddonPlans.Plan plan = AddonPlans.lock(tx, clusterId);
        if (!PLAN_INSTALLING.equals(plan.state())) {
            return caused;
        }
        Instant now = Instant.now();
        for (AddonPlans.Install install : AddonPlans.installs(tx, clusterId)) {
            if (install.state() == PlanProgress.InstallState.SENT && install.answerDue() != null
                    && install.answerDue().isBefore(now)) {
                if (attemptFailed(tx, plan, install, REASON_COMMAND_UNANSWERED, "the cluster's agent did not answer"
                        + " command " + install.commandId() + " by " + install.answerDue(), caused)) {
                    return caused;
                }
            }
        }
        advance(tx, AddonPlans.lock(tx, clusterId), caused);
        return caused;
    }

    /** Sends the add-ons whose retry is due, and whatever else the plan allows now. */
    public List<EventEnvelope<?>> sendDueRetries(Connection tx, String clusterId) throws Exception {
        List<EventEnvelope<?>> caused = new ArrayList<>();
        advance(tx, AddonPlans.lock(tx, clusterId), caused);
        return caused;
    }

    private void advance(Connection tx, AddonPlans.Plan plan, List<EventEnvelope<?>> caused) throws Exception {
        if (plan.pivoted()) {
            AddonPlans.bootstrapLayerInstalled(tx, plan.clusterId());
        }
        while (!PLAN_INSTALLED.equals(plan.state()) && !PLAN_FAILED.equals(plan.state())) {
            List<AddonPlans.Install> installs = AddonPlans.installs(tx, plan.clusterId());
            PlanProgress.Next next = PlanProgress.next(plan.profileKnown(), plan.pivoted(), plan.scaled(),
                    installs.stream().map(AddonPlans.Install::item).toList());
            if (next instanceof PlanProgress.Next.DependencyFailed blocked) {
                AddonPlans.Install dependant = installs.get(blocked.item().position());
                String why = "not installed: it depends on '" + blocked.dependency() + "', which did not install";
                if (dependant.addon().continueOnError()) {
                    AddonPlans.result(tx, plan.clusterId(), dependant.position(), PlanProgress.InstallState.DEGRADED,
                            why);
                } else {
                    failPlan(tx, plan, dependant, REASON_ADDON_FAILED, "add-on '" + dependant.name() + "' " + why,
                            caused);
                }
            } else if (next instanceof PlanProgress.Next.Send send) {
                AddonPlans.setState(tx, plan.clusterId(), PLAN_INSTALLING);
                for (PlanProgress.Item item : send.items()) {
                    caused.add(command(plan, installs.get(item.position()), tx));
                }
                return;
            } else if (next instanceof PlanProgress.Next.Complete) {
                complete(tx, plan, installs, caused);
                return;
            } else {
                return;
            }
            plan = AddonPlans.lock(tx, plan.clusterId());
        }
    }

    private void complete(Connection tx, AddonPlans.Plan plan, List<AddonPlans.Install> installs,
                          List<EventEnvelope<?>> caused) throws Exception {
        AddonPlans.setState(tx, plan.clusterId(), PLAN_INSTALLED);
        List<AddonResult> results = installs.stream().filter(i -> !i.uninstall()).map(i -> new AddonResult(i.name(),
                i.state() == PlanProgress.InstallState.DEGRADED ? AddonResult.State.DEGRADED
                        : AddonResult.State.INSTALLED, i.message())).toList();
        caused.add(outcome(plan, new AddonsInstalled(plan.clusterId(), results, Instant.now(), plan.generation())));
        List<String> degraded = results.stream().filter(r -> r.state() == AddonResult.State.DEGRADED)
                .map(AddonResult::name).toList();
        LOG.infof("The add-ons of %s are installed: %d in all%s", plan.clusterId(), results.size(),
                degraded.isEmpty() ? "" : ", degraded: " + String.join(", ", degraded));
    }

    private EventEnvelope<?> command(AddonPlans.Plan plan, AddonPlans.Install install, Connection tx)
            throws Exception {
        String commandId = UUID.randomUUID().toString();
        // the agent answers once the add-on is rolled out, or once its ready timeout has passed
        Instant answerDue = Instant.now().plusSeconds(install.addon().readyTimeoutSeconds())
                .plus(config.commandTimeout());
        AddonPlans.sent(tx, plan.clusterId(), install.position(), commandId, answerDue);
        LOG.infof("%s add-on %s (layer %s, priority %d, attempt %d) in %s", install.uninstall() ? "Uninstalling"
                        : "Installing", install.name(), install.addon().layer(), install.addon().priority(),
                install.attempts() + 1, plan.clusterId());
        return outcome(plan, new AgentCommand(plan.clusterId(), commandId, install.uninstall()
                ? AgentCommand.Kind.UNINSTALL_ADDON : AgentCommand.Kind.INSTALL_ADDON, install.addon(), Instant.now()));
    }

    private EventEnvelope<?> outcome(AddonPlans.Plan plan, ClusterEvent payload) {
        String correlationId = plan.correlationId() == null ? plan.clusterId() : plan.correlationId();
        return EventEnvelope.create(messaging.eventSource(), correlationId, payload);
    }
}
