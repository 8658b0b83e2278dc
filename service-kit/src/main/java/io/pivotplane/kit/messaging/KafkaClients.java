package io.pivotplane.kit.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where the plane's Kafka is and how this service signs in to it, from the same {@code kafka.*} settings the
 * SmallRye Kafka channels take ({@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM},
 * {@code KAFKA_SASL_JAAS_CONFIG}): for the clients the service makes itself (outbox relay, dead letters, admin).
 */
@ApplicationScoped
public class KafkaClients {

    private final Map<String, Object> config;

    public KafkaClients(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                        @ConfigProperty(name = "kafka.security.protocol") Optional<String> securityProtocol,
                        @ConfigProperty(name = "kafka.sasl.mechanism") Optional<String> saslMechanism,
                        @ConfigProperty(name = "kafka.sasl.jaas.config") Optional<String> saslJaasConfig) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        securityProtocol.ifPresent(value -> settings.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, value));
        saslMechanism.ifPresent(value -> settings.put(SaslConfigs.SASL_MECHANISM, value));
        saslJaasConfig.ifPresent(value -> settings.put(SaslConfigs.SASL_JAAS_CONFIG, value));
        this.config = Map.copyOf(settings);
    }

    /** The connection settings with {@code more} (client id, serializers' settings…) on top. */
    public Map<String, Object> with(Map<String, Object> more) {
        Map<String, Object> merged = new HashMap<>(config);
        merged.putAll(more);
        return merged;
    }
}
