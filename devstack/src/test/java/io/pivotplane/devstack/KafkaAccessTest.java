package io.pivotplane.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.AgentIdentity;
import io.pivotplane.events.Topics;
import io.pivotplane.events.access.PlaneAccess;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.kafka.AgentPrincipals;
import io.pivotplane.events.kafka.KafkaSasl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker holds what the plane's Kafka holds in production: nobody without credentials reads or writes
 * anything, each service only what {@link PlaneAccess} grants it, each agent only its own cluster's commands.
 */
class KafkaAccessTest {

    static final byte[] PLANE_SECRET = "the plane's secret of these tests, 32+ bytes".getBytes(StandardCharsets.UTF_8);
    /** Refusals come at once; only a client without credentials is answered by the end of its wait. */
    static final Duration SHORT_WAIT = Duration.ofMillis(2_000);
    static final Duration WAIT = Duration.ofSeconds(20);
    static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafkaBroker.start(0, null, 1);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void aClientWithoutCredentialsCannotProduceToOrConsumeFromAnyTopic() {
        Map<String, Object> anonymous = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        for (String topic : List.of(Topics.CLUSTER_REQUESTED, Topics.AGENT_REPORTS)) {
            // it never gets past the handshake: nothing answers it but the end of the wait
            assertThatThrownBy(() -> produce(anonymous, topic, SHORT_WAIT))
                    .hasRootCauseInstanceOf(TimeoutException.class);
            assertThatThrownBy(() -> consume(anonymous, topic, SHORT_WAIT)).isInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void aClientWithAWrongPasswordIsToldItCannotSignIn() {
        Map<String, Object> wrong = withAddress(KafkaSasl.scram(KafkaSasl.LOCAL_PROTOCOL, PlaneAccess.SPEC_SERVICE,
                "not-its-password"));
        assertThatThrownBy(() -> produce(wrong, Topics.CLUSTER_SPECS_CREATED))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        assertThatThrownBy(() -> consume(wrong, Topics.CLUSTER_REQUESTED))
                .isInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void aServiceWritesAndReadsOnlyWhatItsGrantsAllow() throws Exception {
        Map<String, Object> spec = kafka.clientConfig(PlaneAccess.SPEC_SERVICE);
        produce(spec, Topics.CLUSTER_SPECS_CREATED);
        consume(spec, Topics.CLUSTER_REQUESTED);
        // another service's output, and the agents' channels
        assertThatThrownBy(() -> produce(spec, Topics.CLUSTER_PIVOTED))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> consume(spec, Topics.AGENT_REPORTS)).isInstanceOf(TopicAuthorizationException.class);
        String cluster = UUID.randomUUID().toString();
        AgentIdentity.issue(kafka.bootstrapServers(), cluster, PLANE_SECRET);
        assertThatThrownBy(() -> produce(spec, Topics.agentCommands(cluster)))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        // addon-service sends commands, and only it reads reports
        produce(kafka.clientConfig(PlaneAccess.ADDON_SERVICE), Topics.agentCommands(cluster));
        consume(kafka.clientConfig(PlaneAccess.ADDON_SERVICE), Topics.AGENT_REPORTS);
    }

    @Test
    void anAgentReadsItsOwnCommandsOnlyAndWritesNothingButReports() throws Exception {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        AgentIdentity.issue(kafka.bootstrapServers(), a, PLANE_SECRET);
        AgentIdentity.issue(kafka.bootstrapServers(), b, PLANE_SECRET);
        produce(kafka.clientConfig(PlaneAccess.ADDON_SERVICE), Topics.agentCommands(a));
        Map<String, Object> agentB = agent(b);

        consume(agentB, Topics.agentCommands(b));
        produce(agentB, Topics.AGENT_REPORTS);
        assertThatThrownBy(() -> consume(agentB, Topics.agentCommands(a)))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> consume(agentB, Topics.AGENT_REPORTS)).isInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> produce(agentB, Topics.agentCommands(a)))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> produce(agentB, Topics.CLUSTER_ADDONS_INSTALLED))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void aRevokedAgentCannotSignInAgainAndItsCommandTopicIsGone() throws Exception {
        String cluster = UUID.randomUUID().toString();
        AgentIdentity.issue(kafka.bootstrapServers(), cluster, PLANE_SECRET);
        consume(agent(cluster), Topics.agentCommands(cluster));

        try (Admin admin = Admin.create(kafka.clientConfig(PlaneAccess.PIVOT_SERVICE))) {
            AgentPrincipals.revoke(admin, cluster, Duration.ofSeconds(30));
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(Topics.agentCommands(cluster));
        }
        assertThatThrownBy(() -> consume(agent(cluster), Topics.agentCommands(cluster)))
                .isInstanceOf(SaslAuthenticationException.class);
    }

    private static Map<String, Object> agent(String clusterId) {
        return withAddress(KafkaSasl.scram(KafkaSasl.LOCAL_PROTOCOL, PlaneAccess.agentPrincipal(clusterId),
                AgentMacs.agentKafkaPassword(PLANE_SECRET, clusterId)));
    }

    private static Map<String, Object> withAddress(Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>(settings);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return config;
    }

    private static void produce(Map<String, Object> client, String topic) throws Exception {
        produce(client, topic, WAIT);
    }

    private static void produce(Map<String, Object> client, String topic, Duration wait) throws Exception {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) wait.toMillis());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) wait.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) wait.toMillis() * 3 / 4);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            try {
                producer.send(new ProducerRecord<>(topic, "key", "value")).get(wait.toMillis() * 2,
                        TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot produce to " + topic, e.getCause());
            }
        }
    }

    /** Reads from the topic's first partition, as a consumer without a group does. */
    private static void consume(Map<String, Object> client, String topic) {
        consume(client, topic, WAIT);
    }

    private static void consume(Map<String, Object> client, String topic, Duration wait) {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) wait.toMillis());
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) wait.toMillis() * 3 / 4);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.poll(Duration.ofMillis(500));
            consumer.position(new TopicPartition(topic, 0));
        }
    }
}
