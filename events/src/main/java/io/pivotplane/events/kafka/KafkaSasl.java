package io.pivotplane.events.kafka;

import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/** The client settings of a principal that signs in to the plane's Kafka with SASL/SCRAM-SHA-512. */
public final class KafkaSasl {

    public static final String MECHANISM = "SCRAM-SHA-512";
    /** SASL over plain TCP, as the local stack runs it; over TLS in production ({@code SASL_SSL}). */
    public static final String LOCAL_PROTOCOL = "SASL_PLAINTEXT";

    private KafkaSasl() {
    }

    public static Map<String, Object> scram(String protocol, String username, String password) {
        return Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol,
                SaslConfigs.SASL_MECHANISM, MECHANISM,
                SaslConfigs.SASL_JAAS_CONFIG, jaas("org.apache.kafka.common.security.scram.ScramLoginModule",
                        username, password));
    }

    /** A JAAS entry of a login module with a user name and password, quoted as JAAS quotes. */
    public static String jaas(String loginModule, String username, String password) {
        return loginModule + " required username=\"" + quoted(username) + "\" password=\"" + quoted(password) + "\";";
    }

    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
