package io.pivotplane.addon.service;

import io.pivotplane.addon.config.AddonConfig;
import io.pivotplane.addon.persistence.AgentVersionRecords;
import io.pivotplane.addon.persistence.SpecChanges;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.AgentVersions;
import io.pivotplane.events.ClusterChangeRequested;
import io.pivotplane.events.ClusterChanged;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.model.Condition;
import io.pivotplane.kit.config.MessagingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Carries changes of running clusters to their agents, the plane's one way into a pivoted cluster: each
 * {@code ClusterChangeRequested} becomes an APPLY_SPEC command on the agent's topic (the plane never calls the
 * cluster), and the agent's answer, once it has rolled the machines, becomes {@code ClusterChanged}. Only the newest
 * generation counts: an older or repeated change is not sent, and the answer to a superseded one is dropped.
 */
@ApplicationScoped
public class SpecChangeRelay {

    private static final Logger LOG = Logger.getLogger(SpecChangeRelay.class);

    public static final String REASON_UNANSWERED = "the cluster's agent did not answer";

    private final MessagingConfig messaging;
    private final AddonConfig config;

    public SpecChangeRelay(MessagingConfig messaging, AddonConfig config) {
        this.messaging = messaging;
        this.config = config;
    }

    static boolean isAnswer(AgentReport report) {
        return report.kind() == AgentReport.Kind.CHANGE_APPLIED || report.kind() == AgentReport.Kind.CHANGE_FAILED;
    }

    List<EventEnvelope<?>> on(EventEnvelope<?> event, Connection tx) throws Exception {
        List<EventEnvelope<?>> caused = new ArrayList<>();
        String clusterId = event.subject();
        Optional<SpecChanges.Change> latest = SpecChanges.lock(tx, clusterId);
        if (event.payload() instanceof ClusterChangeRequested requested) {
            if (latest.isPresent() && latest.get().generation() >= requested.generation()) {
                LOG.infof("Spec generation %d of %s is not newer than generation %d: already sent",
                        requested.generation(), clusterId, latest.get().generation());
                return caused;
            }
            String commandId = UUID.randomUUID().toString();
            Instant now = Instant.now();
            SpecChanges.sent(tx, clusterId, requested.generation(), commandId, event.correlationId(), now,
                    now.plus(config.changeTimeout()));
            Optional<String> refusal = refusal(tx, clusterId);
            if (refusal.isPresent()) {
                // an agent the plane does not drive may not know APPLY_SPEC, or apply it otherwise: not sent
                SpecChanges.ended(tx, clusterId, ClusterChanged.Outcome.FAILED.name());
                LOG.warnf("Spec generation %d of %s not sent: %s", requested.generation(), clusterId, refusal.get());
                caused.add(EventEnvelope.create(messaging.eventSource(), event.correlationId(), new ClusterChanged(
                        clusterId, requested.generation(), ClusterChanged.Outcome.FAILED, refusal.get(), now)));
                return caused;
            }
            LOG.infof("Cluster %s changes to spec generation %d (%s)", clusterId, requested.generation(),
                    requested.summary());
            caused.add(EventEnvelope.create(messaging.eventSource(), event.correlationId(),
                    AgentCommand.applySpec(clusterId, commandId, requested.spec(), requested.generation(), now)));
        } else if (event.payload() instanceof AgentReport report && isAnswer(report)) {
            if (latest.isEmpty() || !latest.get().commandId().equals(report.commandId())
                    || latest.get().outcome() != null) {
                LOG.infof("The agent of %s answered %s to command %s, which is not its latest change, or is"
                        + " answered already", clusterId, report.kind(), report.commandId());
                return caused;
            }
            SpecChanges.Change change = latest.get();
            boolean applied = report.kind() == AgentReport.Kind.CHANGE_APPLIED;
            String message = applied ? null : report.conditions().stream()
                    .filter(c -> AgentReport.CONDITION_CHANGED.equals(c.type()) && "False".equals(c.status()))
                    .map(Condition::message).filter(m -> m != null && !m.isBlank()).findFirst()
                    .orElse("the agent gave no reason");
            ClusterChanged.Outcome outcome = applied ? ClusterChanged.Outcome.APPLIED : ClusterChanged.Outcome.FAILED;
            SpecChanges.ended(tx, clusterId, outcome.name());
            LOG.infof("Spec generation %d of %s: %s%s", change.generation(), clusterId, outcome,
                    message == null ? "" : " (" + message + ")");
            String correlationId = change.correlationId() == null ? clusterId : change.correlationId();
            caused.add(EventEnvelope.create(messaging.eventSource(), correlationId, new ClusterChanged(clusterId,
                    change.generation(), outcome, message, report.reportedAt())));
        }
        return caused;
    }

    /** Why the cluster's agent is not sent changes: it is not one the plane drives, or it has not said which it is. */
    private static Optional<String> refusal(Connection tx, String clusterId) throws Exception {
        Optional<AgentVersionRecords.Reported> reported = AgentVersionRecords.find(tx, clusterId);
        if (reported.isEmpty()) {
            return Optional.of("the cluster's agent has not reported its version yet, so the plane cannot tell"
                    + " whether it drives it (agents " + AgentVersions.supportedRange() + "); ask again once it has");
        }
        String version = reported.get().version();
        return AgentVersions.supports(version) ? Optional.empty() : Optional.of(AgentVersions.refusal(version));
    }

    /**
     * Gives up on the cluster's latest change when its agent has not answered by its due time: the plane says so,
     * rather than show it rolling for ever. A late answer is dropped; the cluster itself carries on rolling.
     */
    List<EventEnvelope<?>> expireUnanswered(Connection tx, String clusterId) throws Exception {
        List<EventEnvelope<?>> caused = new ArrayList<>();
        Optional<SpecChanges.Change> latest = SpecChanges.lock(tx, clusterId);
        Instant now = Instant.now();
        if (latest.isEmpty() || latest.get().outcome() != null || latest.get().answerDue().isAfter(now)) {
            return caused;
        }
        SpecChanges.Change change = latest.get();
        String message = REASON_UNANSWERED + " by " + change.answerDue() + " (" + config.changeTimeout()
                + " after the change was sent): it may be gone, or its cluster cannot roll to the change; a newer"
                + " change can follow";
        SpecChanges.ended(tx, clusterId, ClusterChanged.Outcome.FAILED.name());
        LOG.warnf("Spec generation %d of %s: %s", change.generation(), clusterId, message);
        String correlationId = change.correlationId() == null ? clusterId : change.correlationId();
        caused.add(EventEnvelope.create(messaging.eventSource(), correlationId, new ClusterChanged(clusterId,
                change.generation(), ClusterChanged.Outcome.FAILED, message, now)));
        return caused;
    }
}
