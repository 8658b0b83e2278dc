package io.pivotplane.kit.messaging;

import io.pivotplane.events.Topics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends what a consumer cannot process to {@code <topic>.dlq}: the record unchanged (key, value, headers) plus
 * headers that say why, where it came from and who gave up on it, so it can be inspected and replayed.
 */
@ApplicationScoped
public class DeadLetters {

    public static final String REASON_HEADER = "dlq_reason";
    public static final String CONSUMER_GROUP_HEADER = "dlq_consumer_group";
    public static final String ORIGIN_HEADER = "dlq_origin";

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final KafkaClients kafka;
    private final String clientId;
    private volatile KafkaProducer<byte[], byte[]> producer;

    public DeadLetters(KafkaClients kafka,
                       @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this.kafka = kafka;
        this.clientId = applicationName + "-dead-letters";
    }

    /** Blocks until Kafka has the dead letter, so the original's offset is committed only after. */
    public void send(ConsumerRecord<byte[], byte[]> record, String group, String reason) throws Exception {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(Topics.deadLetter(record.topic()), null,
                record.key(), record.value(), record.headers());
        letter.headers().remove(REASON_HEADER).remove(CONSUMER_GROUP_HEADER).remove(ORIGIN_HEADER);
        letter.headers().add(REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        letter.headers().add(CONSUMER_GROUP_HEADER, group.getBytes(StandardCharsets.UTF_8));
        letter.headers().add(ORIGIN_HEADER, (record.topic() + "/" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        producer().send(letter).get(30, TimeUnit.SECONDS);
        LOG.warnf("Dead-lettered %s/%d@%d to %s: %s", record.topic(), record.partition(), record.offset(),
                Topics.deadLetter(record.topic()), reason);
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(kafka.with(Map.of(
                            ProducerConfig.CLIENT_ID_CONFIG, clientId,
                            ProducerConfig.ACKS_CONFIG, "all",
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)),
                            new ByteArraySerializer(), new ByteArraySerializer());
                }
            }
        }
        return producer;
    }

    void stop(@Observes ShutdownEvent shutdown) {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
