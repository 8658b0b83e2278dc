package io.pivotplane.addon;

import io.pivotplane.devstack.testing.AgentIdentity;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.kafka.AgentMacs;
import java.net.URI;

/** Events as their producers publish them: an agent's report signed with its cluster's agent key. */
final class TestEvents {

    static final URI SOURCE = URI.create("/pivotplane/test");

    private TestEvents() {
    }

    /** @param planeSecret the service's {@code pivotplane.agent-keys.secret}, from which agents' keys derive */
    static EventEnvelope<?> publish(String bootstrapServers, String planeSecret, ClusterEvent payload) {
        EventEnvelope<?> event = EventEnvelope.create(SOURCE, "corr-" + payload.clusterId(), payload);
        if (payload instanceof Pivoted) {
            // pivot-service makes the agent's identity and command topic before the agent runs and the pivot ends
            AgentIdentity.issue(bootstrapServers, payload.clusterId(),
                    AgentMacs.decodeKey(planeSecret, "the test's secret"));
        }
        if (payload instanceof AgentReport) {
            TopicWriter.sendSigned(bootstrapServers, event, agentKey(planeSecret, payload.clusterId()));
        } else {
            TopicWriter.send(bootstrapServers, event);
        }
        return event;
    }

    static byte[] agentKey(String planeSecret, String clusterId) {
        return AgentMacs.agentKey(AgentMacs.decodeKey(planeSecret, "the test's secret"), clusterId);
    }
}
