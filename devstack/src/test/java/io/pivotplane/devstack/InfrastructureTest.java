package io.pivotplane.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.FreePorts;
import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class InfrastructureTest {

    @Test
    void kafkaBrokerKeepsItsMessagesAcrossARestartAndRemovesItsDataOnClose() throws Exception {
        Path dataDir;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0, null, 1)) {
            dataDir = broker.dataDir();
            try (Admin admin = Admin.create(broker.clientConfig(EmbeddedKafkaBroker.ADMIN))) {
                admin.createTopics(List.of(new NewTopic("infra-test", 1, (short) 1))).all().get();
            }
            produce(broker, "before-restart");

            broker.stop();
            assertThat(FreePorts.isListening(broker.port())).isFalse();
            broker.restart();

            produce(broker, "after-restart");
            assertThat(consumeAll(broker, 2)).containsExactly("before-restart", "after-restart");
        }
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void postgresServesADatabaseAndRemovesItsDataOnClose() throws Exception {
        int port;
        try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(0)) {
            port = postgres.port();
            postgres.createDatabase("requests");
            postgres.createDatabase("requests");
            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("requests"),
                    EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
                 ResultSet rs = c.createStatement().executeQuery("SELECT current_database(), version()")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("requests");
                assertThat(rs.getString(2)).startsWith("PostgreSQL 14");
            }
        }
        assertThat(FreePorts.isListening(port)).isFalse();
    }

    @Test
    void kubernetesApiServerStoresObjects() {
        try (KubernetesApiServer server = KubernetesApiServer.start(0)) {
            // as in a real cluster, the namespace comes first
            server.client().namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                    .withNewMetadata().withName("ns").endMetadata().build()).create();
            ConfigMap map = new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace("ns").endMetadata()
                    .addToData("k", "v").build();
            server.client().configMaps().inNamespace("ns").resource(map).create();

            ConfigMap stored = server.client().configMaps().inNamespace("ns").withName("c").get();
            assertThat(stored.getData()).containsEntry("k", "v");
            assertThat(stored.getMetadata().getUid()).isNotBlank();
        }
    }

    private static void produce(EmbeddedKafkaBroker broker, String value) throws Exception {
        Map<String, Object> config = broker.clientConfig(EmbeddedKafkaBroker.ADMIN);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("infra-test", "key", value)).get();
        }
    }

    private static List<String> consumeAll(EmbeddedKafkaBroker broker, int expected) {
        Properties config = new Properties();
        config.putAll(broker.clientConfig(EmbeddedKafkaBroker.ADMIN));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "infra-test");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("infra-test"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

}
