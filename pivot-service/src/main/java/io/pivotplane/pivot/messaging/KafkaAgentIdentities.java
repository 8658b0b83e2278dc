package io.pivotplane.pivot.messaging;

import io.pivotplane.events.kafka.AgentPrincipals;
import io.pivotplane.kit.messaging.AgentKeys;
import io.pivotplane.kit.messaging.KafkaClients;
import io.pivotplane.pivot.domain.AgentIdentities;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.jboss.logging.Logger;

/**
 * Agents' identities as Kafka principals ({@link AgentPrincipals}), made as pivot-service's own principal, which holds
 * ALTER on the cluster for that. The password is derived from the plane's secret ({@link AgentKeys#kafkaPasswordOf}),
 * so every rendering of the agent's Secret carries the same one.
 */
@ApplicationScoped
public class KafkaAgentIdentities implements AgentIdentities {

    private static final Logger LOG = Logger.getLogger(KafkaAgentIdentities.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClients kafka;
    private final AgentKeys agentKeys;
    private Admin admin;

    public KafkaAgentIdentities(KafkaClients kafka, AgentKeys agentKeys) {
        this.kafka = kafka;
        this.agentKeys = agentKeys;
    }

    @Override
    public void issue(String clusterId) throws Exception {
        AgentPrincipals.issue(admin(), clusterId, agentKeys.kafkaPasswordOf(clusterId), TIMEOUT);
    }

    @Override
    public void revoke(String clusterId) throws Exception {
        AgentPrincipals.revoke(admin(), clusterId, TIMEOUT);
        LOG.infof("The agent of %s can no longer sign in to Kafka: its principal, grants and command topic are gone",
                clusterId);
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(kafka.with(Map.of(
                    AdminClientConfig.CLIENT_ID_CONFIG, "pivot-service-agent-identities",
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis())));
        }
        return admin;
    }

    synchronized void close(@Observes ShutdownEvent shutdown) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
