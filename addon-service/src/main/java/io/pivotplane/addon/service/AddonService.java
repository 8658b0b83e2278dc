package io.pivotplane.addon.service;

import io.pivotplane.addon.config.AddonConfig;
import io.pivotplane.addon.domain.PlanProgress;
import io.pivotplane.addon.persistence.AddonPlans;
import io.pivotplane.events.AddonsInstalled;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.kit.config.MessagingConfig;
import io.pivotplane.kit.messaging.PermanentEventException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Step 6: once a cluster has pivoted and its agent reports it at its desired size, installs the add-ons of its
 * profile layer by layer through the agent, retrying a failed add-on a bounded number of times. The network plugin
 * (layer {@code cni}) is not sent again: pivot-service installed it before the pivot.
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

    public AddonService(AddonConfig config, MessagingConfig messaging) {
        this.config = config;
        this.messaging = messaging;
    }

    /**
     * Whether an event is a step of a plan: of the agents' reports only that a cluster is scaled and an add-on's
     * result; heartbeats and deletion reports pass by without a transaction.
     */
    public static boolean needs(EventEnvelope<?> event) {
        return !(event.payload() instanceof AgentReport report)
                || report.kind() == AgentReport.Kind.SCALED || report.kind() == AgentReport.Kind.ADDON_RESULT;
    }

    /** Every event is a step of one plan's state machine; the same event twice leaves it where it is. */
    public List<EventEnvelope<?>> on(EventEnvelope<?> event, Connection tx) throws Exception {
        String clusterId = event.subject();
        if (event.payload() instanceof AgentReport report && report.kind() == AgentReport.Kind.ADDON_RESULT
                && !AddonPlans.exists(tx, clusterId)) {
            // a result answers a command, and commands are sent only from a plan
            throw new PermanentEventException("an add-on result from the agent of " + clusterId
                    + ", a cluster of which addon-service has no plan and sent no command");
        }
        AddonPlans.Plan plan = AddonPlans.lock(tx, clusterId);
        List<EventEnvelope<?>> caused = new ArrayList<>();
        Object payload = event.payload();
        if (payload instanceof ClusterRequested requested) {
            AddonPlans.setProfile(tx, clusterId, event.correlationId(), requested.spec().profile().addons());
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
        advance(tx, AddonPlans.lock(tx, clusterId), event, caused);
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
        if (report.addon().state() == AddonResult.State.INSTALLED) {
            AddonPlans.result(tx, plan.clusterId(), sent.position(), PlanProgress.InstallState.INSTALLED,
                    report.addon().message());
            return false;
        }
        String why = report.addon().message() == null ? "no reason given" : report.addon().message();
        attemptFailed(tx, plan, sent, REASON_ADDON_FAILED, why, caused);
        return true;
    }

    /** Sends the add-on again while it has attempts left; fails the plan and the cluster after the last. */
    private void attemptFailed(Connection tx, AddonPlans.Plan plan, AddonPlans.Install sent, String reason, String why,
                               List<EventEnvelope<?>> caused) throws Exception {
        if (sent.attempts() < config.maxAttempts()) {
            LOG.warnf("Add-on %s failed (attempt %d of %d): %s; sending it again", sent.name(), sent.attempts(),
                    config.maxAttempts(), why);
            caused.add(command(plan, sent, tx));
            return;
        }
        AddonPlans.result(tx, plan.clusterId(), sent.position(), PlanProgress.InstallState.FAILED, why);
        AddonPlans.setState(tx, plan.clusterId(), PLAN_FAILED);
        caused.add(outcome(plan, new ProvisioningFailed(plan.clusterId(), Stage.ADDONS_INSTALLED,
                reason, "add-on '" + sent.name() + "' failed " + sent.attempts() + " time(s): " + why,
                Instant.now())));
    }

    /**
     * Gives up on the commands of the cluster that got no answer within the command timeout, each as a failed
     * attempt: an agent that is gone, or that cannot read its commands, does not hold the cluster at Pivoted.
     */
    public List<EventEnvelope<?>> expireUnanswered(Connection tx, String clusterId) throws Exception {
        List<EventEnvelope<?>> caused = new ArrayList<>();
        AddonPlans.Plan plan = AddonPlans.lock(tx, clusterId);
        if (!PLAN_INSTALLING.equals(plan.state())) {
            return caused;
        }
        Instant cutoff = Instant.now().minus(config.commandTimeout());
        for (AddonPlans.Install install : AddonPlans.installs(tx, clusterId)) {
            if (install.state() == PlanProgress.InstallState.SENT && install.sentAt() != null
                    && install.sentAt().isBefore(cutoff) && !PLAN_FAILED.equals(plan.state())) {
                attemptFailed(tx, plan, install, REASON_COMMAND_UNANSWERED, "the cluster's agent did not answer"
                        + " command " + install.commandId() + " within " + config.commandTimeout(), caused);
                plan = AddonPlans.lock(tx, clusterId);
            }
        }
        return caused;
    }

    private void advance(Connection tx, AddonPlans.Plan plan, EventEnvelope<?> cause, List<EventEnvelope<?>> caused)
            throws Exception {
        if (PLAN_INSTALLED.equals(plan.state()) || PLAN_FAILED.equals(plan.state())) {
            return;
        }
        if (plan.pivoted()) {
            AddonPlans.bootstrapLayerInstalled(tx, plan.clusterId());
        }
        List<AddonPlans.Install> installs = AddonPlans.installs(tx, plan.clusterId());
        PlanProgress.Next next = PlanProgress.next(plan.profileKnown(), plan.pivoted(), plan.scaled(),
                installs.stream().map(AddonPlans.Install::item).toList());
        if (next instanceof PlanProgress.Next.Send send) {
            AddonPlans.setState(tx, plan.clusterId(), PLAN_INSTALLING);
            for (PlanProgress.Item item : send.items()) {
                caused.add(command(plan, installs.get(item.position()), tx));
            }
        } else if (next instanceof PlanProgress.Next.Complete) {
            AddonPlans.setState(tx, plan.clusterId(), PLAN_INSTALLED);
            List<AddonResult> results = installs.stream()
                    .map(i -> new AddonResult(i.name(), AddonResult.State.INSTALLED, i.message())).toList();
            caused.add(outcome(plan, new AddonsInstalled(plan.clusterId(), results, Instant.now())));
            LOG.infof("All %d add-on(s) of %s are installed", results.size(), plan.clusterId());
        }
    }

    private EventEnvelope<?> command(AddonPlans.Plan plan, AddonPlans.Install install, Connection tx)
            throws Exception {
        String commandId = UUID.randomUUID().toString();
        AddonPlans.sent(tx, plan.clusterId(), install.position(), commandId);
        LOG.infof("Installing add-on %s (layer %s) in %s", install.name(), install.addon().layer(), plan.clusterId());
        return outcome(plan, new AgentCommand(plan.clusterId(), commandId, AgentCommand.Kind.INSTALL_ADDON,
                install.addon(), Instant.now()));
    }

    private EventEnvelope<?> outcome(AddonPlans.Plan plan, ClusterEvent payload) {
        String correlationId = plan.correlationId() == null ? plan.clusterId() : plan.correlationId();
        return EventEnvelope.create(messaging.eventSource(), correlationId, payload);
    }
}
