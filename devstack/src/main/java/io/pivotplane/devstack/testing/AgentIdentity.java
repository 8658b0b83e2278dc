package io.pivotplane.devstack.testing;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.AgentPrincipals;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;

/**
 * An agent's Kafka identity made as pivot-service makes it when it installs the agent (principal, password derived
 * from the plane's secret, command topic, grants), for tests that play pivot-service's part: before they publish a
 * {@code Pivoted}, or start an agent, its identity exists, as it does in a real run.
 */
public final class AgentIdentity {

    private AgentIdentity() {
    }

    public static void issue(String bootstrapServers, String clusterId, byte[] planeSecret) {
        try (Admin admin = Admin.create(EmbeddedKafkaBroker.adminConfig(bootstrapServers))) {
            AgentPrincipals.issue(admin, clusterId, AgentMacs.agentKafkaPassword(planeSecret, clusterId),
                    Duration.ofSeconds(30));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue the identity of the agent of " + clusterId, e);
        }
    }
}
