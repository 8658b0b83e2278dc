package io.pivotplane.kit.messaging;

import io.pivotplane.events.kafka.AgentMacs;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The plane's secret from which every agent's key is derived ({@link AgentMacs}): the services that send commands to
 * agents sign them with it, those that read the agents' reports check them. A service that does either sets
 * {@code pivotplane.agent-keys.required=true} and then does not start without the secret
 * ({@code PIVOTPLANE_AGENT_KEYS_SECRET}, base64 of at least 32 random bytes).
 */
@ApplicationScoped
@Startup
public class AgentKeys {

    private final Optional<byte[]> secret;

    public AgentKeys(@ConfigProperty(name = "pivotplane.agent-keys.secret") Optional<String> secret,
                     @ConfigProperty(name = "pivotplane.agent-keys.required", defaultValue = "false") boolean required) {
        this.secret = secret.filter(value -> !value.isBlank())
                .map(value -> AgentMacs.decodeKey(value, "pivotplane.agent-keys.secret"));
        if (required && this.secret.isEmpty()) {
            throw new IllegalStateException("no secret to sign agents' commands and check their reports with: set "
                    + "PIVOTPLANE_AGENT_KEYS_SECRET (base64 of at least 32 random bytes, the same for pivot-service "
                    + "and addon-service)");
        }
    }

    /** The key of the agent of {@code clusterId}, for pivot-service to install with it and to sign its commands. */
    public byte[] keyOf(String clusterId) {
        return AgentMacs.agentKey(secret.orElseThrow(() -> new IllegalStateException(
                "cannot sign a command to the agent of " + clusterId + ": no pivotplane.agent-keys.secret")),
                clusterId);
    }

    /** The password of the Kafka principal of the agent of {@code clusterId}, for pivot-service to install. */
    public String kafkaPasswordOf(String clusterId) {
        return AgentMacs.agentKafkaPassword(secret.orElseThrow(() -> new IllegalStateException(
                "cannot make the Kafka password of the agent of " + clusterId + ": no pivotplane.agent-keys.secret")),
                clusterId);
    }

    /** Whether a record of agent.reports was sent by the agent of the cluster it names. */
    public boolean fromItsAgent(ConsumerRecord<byte[], byte[]> report) {
        String clusterId = AgentMacs.subject(report.headers());
        return secret.isPresent() && !clusterId.isEmpty() && AgentMacs.verify(report.headers(), report.value(),
                keyOf(clusterId), AgentMacs.Direction.REPORT);
    }
}
