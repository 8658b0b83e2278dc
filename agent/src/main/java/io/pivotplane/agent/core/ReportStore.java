package io.pivotplane.agent.core;

import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import java.util.List;

/** Where an agent keeps the reports it could not send yet, so that they outlive its process. */
public interface ReportStore {

    /** The reports a previous agent left unsent, oldest first; none when there are none. */
    List<EventEnvelope<AgentReport>> load();

    /** Replaces what is stored with {@code reports}, oldest first; an empty list leaves nothing stored. */
    void save(List<EventEnvelope<AgentReport>> reports);
}
