package io.pivotplane.agent;

import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.KafkaSasl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an agent needs to know, from its environment (the Secret pivot-service installs with it).
 *
 * @param clusterId pivotplane's id of the cluster; the agent acts only on commands keyed by it
 * @param clusterName the {@code Cluster}'s name in its own API
 * @param namespace where the cluster's CAPI objects live
 * @param kafkaBootstrapServers the management plane's Kafka
 * @param heartbeatInterval how often it reports, and looks at its cluster if nothing woke it up
 * @param key the agent's own key (base64): commands that do not carry its MAC are refused, reports carry it
 * @param kafkaAccount the agent's own Kafka principal, which may read its cluster's commands and write reports
 * @param addonRepairInterval how often it compares the installed add-ons with what runs and repairs the difference
 * @param chartCache where it keeps the charts it downloaded (a writable folder: the pod's {@code /tmp})
 */
public record AgentConfig(String clusterId, String clusterName, String namespace, String kafkaBootstrapServers,
                          Duration heartbeatInterval, String key, KafkaAccount kafkaAccount,
                          Duration addonRepairInterval, Path chartCache) {

    /** An agent with the default add-on repair interval and chart cache. */
    public AgentConfig(String clusterId, String clusterName, String namespace, String kafkaBootstrapServers,
                       Duration heartbeatInterval, String key, KafkaAccount kafkaAccount) {
        this(clusterId, clusterName, namespace, kafkaBootstrapServers, heartbeatInterval, key, kafkaAccount,
                DEFAULT_ADDON_REPAIR_INTERVAL, defaultChartCache());
    }

    /**
     * How the agent signs in to Kafka: SASL/SCRAM as {@code username}, over {@code securityProtocol}
     * ({@code SASL_SSL} in production, {@code SASL_PLAINTEXT} on the local stack).
     */
    public record KafkaAccount(String securityProtocol, String username, String password) {

        public Map<String, Object> clientConfig() {
            return KafkaSasl.scram(securityProtocol, username, password);
        }

        @Override
        public String toString() {
            return "KafkaAccount[securityProtocol=" + securityProtocol + ", username=" + username
                    + ", password=(secret)]";
        }
    }

    public static final String CLUSTER_ID = "PIVOTPLANE_CLUSTER_ID";
    public static final String CLUSTER_NAME = "PIVOTPLANE_CLUSTER_NAME";
    public static final String CLUSTER_NAMESPACE = "PIVOTPLANE_CLUSTER_NAMESPACE";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String HEARTBEAT_INTERVAL = "PIVOTPLANE_HEARTBEAT_INTERVAL";
    public static final String AGENT_KEY = "PIVOTPLANE_AGENT_KEY";
    public static final String KAFKA_SECURITY_PROTOCOL = "KAFKA_SECURITY_PROTOCOL";
    public static final String KAFKA_USERNAME = "KAFKA_USERNAME";
    public static final String KAFKA_PASSWORD = "KAFKA_PASSWORD";

    public static final String ADDON_REPAIR_INTERVAL = "PIVOTPLANE_ADDON_REPAIR_INTERVAL";
    public static final String CHART_CACHE = "PIVOTPLANE_CHART_CACHE";

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ADDON_REPAIR_INTERVAL = Duration.ofSeconds(30);

    /** In the agent's pod: its {@code /tmp}, an emptyDir. */
    public static final Path DEFAULT_CHART_CACHE = Path.of("/tmp/pivotplane-charts");

    private static Path defaultChartCache() {
        return Path.of(System.getProperty("java.io.tmpdir"), "pivotplane-charts");
    }

    /** @throws IllegalArgumentException naming every variable that is missing or wrong */
    public static AgentConfig fromEnvironment(Map<String, String> environment) {
        List<String> problems = new ArrayList<>();
        for (String required : List.of(CLUSTER_ID, CLUSTER_NAME, CLUSTER_NAMESPACE, KAFKA_BOOTSTRAP_SERVERS, AGENT_KEY,
                KAFKA_SECURITY_PROTOCOL, KAFKA_USERNAME, KAFKA_PASSWORD)) {
            String value = environment.get(required);
            if (value == null || value.isBlank()) {
                problems.add(required + " is not set");
            }
        }
        Duration heartbeat = duration(environment, HEARTBEAT_INTERVAL, DEFAULT_HEARTBEAT, problems);
        Duration repair = duration(environment, ADDON_REPAIR_INTERVAL, DEFAULT_ADDON_REPAIR_INTERVAL, problems);
        String key = environment.get(AGENT_KEY);
        if (key != null && !key.isBlank()) {
            try {
                AgentMacs.decodeKey(key, AGENT_KEY);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("agent configuration: " + String.join("; ", problems));
        }
        return new AgentConfig(environment.get(CLUSTER_ID), environment.get(CLUSTER_NAME),
                environment.get(CLUSTER_NAMESPACE), environment.get(KAFKA_BOOTSTRAP_SERVERS), heartbeat, key.strip(),
                new KafkaAccount(environment.get(KAFKA_SECURITY_PROTOCOL), environment.get(KAFKA_USERNAME),
                        environment.get(KAFKA_PASSWORD)), repair,
                environment.containsKey(CHART_CACHE) ? Path.of(environment.get(CHART_CACHE)) : defaultChartCache());
    }

    private static Duration duration(Map<String, String> environment, String variable, Duration otherwise,
                                     List<String> problems) {
        if (!environment.containsKey(variable)) {
            return otherwise;
        }
        try {
            Duration value = Duration.parse(environment.get(variable));
            if (value.isNegative() || value.isZero()) {
                problems.add(variable + " must be longer than zero");
            }
            return value;
        } catch (RuntimeException e) {
            problems.add(variable + " is not an ISO-8601 duration such as PT10S");
            return otherwise;
        }
    }

    /** The key as bytes, for {@link AgentMacs}. */
    public byte[] keyBytes() {
        return AgentMacs.decodeKey(key, AGENT_KEY);
    }

    /** The configuration without its key, for logs and manifests shown to people. */
    @Override
    public String toString() {
        return "AgentConfig[clusterId=" + clusterId + ", clusterName=" + clusterName + ", namespace=" + namespace
                + ", kafkaBootstrapServers=" + kafkaBootstrapServers + ", heartbeatInterval=" + heartbeatInterval
                + ", key=(secret), kafkaAccount=" + kafkaAccount + ", addonRepairInterval=" + addonRepairInterval
                + ", chartCache=" + chartCache + "]";
    }

    public Map<String, String> toEnvironment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put(CLUSTER_ID, clusterId);
        environment.put(CLUSTER_NAME, clusterName);
        environment.put(CLUSTER_NAMESPACE, namespace);
        environment.put(KAFKA_BOOTSTRAP_SERVERS, kafkaBootstrapServers);
        environment.put(HEARTBEAT_INTERVAL, heartbeatInterval.toString());
        environment.put(ADDON_REPAIR_INTERVAL, addonRepairInterval.toString());
        environment.put(AGENT_KEY, key);
        environment.put(KAFKA_SECURITY_PROTOCOL, kafkaAccount.securityProtocol());
        environment.put(KAFKA_USERNAME, kafkaAccount.username());
        environment.put(KAFKA_PASSWORD, kafkaAccount.password());
        return environment;
    }
}
