package io.pivotplane.devstack.benchmark;

import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What Kafka alone costs: N messages passed along five topics like the pipeline's (same partitions, same keys,
 * a payload of an event's size) by plain consumers and producers that do nothing else. Each hop reads a message and
 * sends it on with acks=all, as the services' producers do. Its figures sit beside the pipeline's in the report.
 */
final class RelayBaseline {

    static final List<String> HOPS = List.of("Requested", "SpecsCreated", "ControlPlaneReady", "Pivoted",
            "AddonsInstalled");

    /**
     * {@code resent}: sends Kafka failed that a hop made again; {@code lost}: messages that never arrived;
     * {@code cpuMillisPerMessage}: CPU time of the relay's clients (the feeder and every hop, their own threads and
     * Kafka's threads for them, not the broker's) per message carried through all five topics.
     */
    record Result(double messagesPerSecond, double seconds, Map<String, Latencies> hops, int lost, int resent,
                  double cpuMillisPerMessage) {
    }

    /** Every thread of the relay carries this in its name: its own, and Kafka's named after its client and group ids. */
    private static final String THREAD_MARK = "baseline-relay";

    private RelayBaseline() {
    }

    static Result run(String bootstrapServers, int partitions, int messages, double ratePerSecond, int payloadBytes)
            throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> topics = new ArrayList<>();
        for (String hop : HOPS) {
            topics.add("baseline-" + run + "." + hop);
        }
        try (Admin admin = Admin.create(EmbeddedKafkaBroker.adminConfig(bootstrapServers))) {
            admin.createTopics(topics.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
        }
        Map<String, ConcurrentLinkedQueue<Long>> hopMillis = new LinkedHashMap<>();
        HOPS.forEach(hop -> hopMillis.put(hop, new ConcurrentLinkedQueue<>()));
        Map<String, Long> arrivedAt = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger resent = new java.util.concurrent.atomic.AtomicInteger();
        List<Relay> relays = new ArrayList<>();
        for (int i = 1; i < topics.size(); i++) {
            relays.add(new Relay(bootstrapServers, topics.get(i - 1), topics.get(i), hopMillis.get(HOPS.get(i)), null,
                    resent));
        }
        relays.add(new Relay(bootstrapServers, topics.get(topics.size() - 1), null, null, arrivedAt, resent));
        relays.forEach(Relay::start);
        relays.forEach(Relay::awaitAssignment);

        byte[] payload = new byte[payloadBytes];
        long start = System.currentTimeMillis();
        KafkaProducer<String, byte[]> injector = injector(bootstrapServers, THREAD_MARK + "-feeder-" + run);
        List<ProducerRecord<String, byte[]>> injected = new ArrayList<>();
        List<java.util.concurrent.Future<?>> injections = new ArrayList<>();
        double cpuMillis;
        long end;
        try {
            for (int i = 0; i < messages; i++) {
                if (ratePerSecond > 0) {
                    long due = start + (long) (i * 1000 / ratePerSecond);
                    long wait = due - System.currentTimeMillis();
                    if (wait > 0) {
                        Thread.sleep(wait);
                    }
                }
                String key = UUID.randomUUID().toString();
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.get(0), null,
                        System.currentTimeMillis(), key, payload);
                injected.add(record);
                injections.add(injector.send(record));
            }
            for (int i = 0; i < injections.size(); i++) {
                try {
                    injections.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    resent.incrementAndGet();
                    injector.send(injected.get(i)).get();
                }
            }
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(5).toMillis();
            while (arrivedAt.size() < messages && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            end = arrivedAt.values().stream().mapToLong(Long::longValue).max().orElse(start);
            // read while the clients' threads live: a thread's CPU time goes with it
            cpuMillis = relayThreadsCpuNanos() / 1e6;
        } finally {
            // what has not arrived by then counts as lost: a producer closed without a timeout could wait forever
            injector.close(Duration.ofSeconds(30));
        }
        relays.forEach(Relay::close);
        Map<String, Latencies> hops = new LinkedHashMap<>();
        hops.put(HOPS.get(0), Latencies.of(List.of()));
        for (int i = 1; i < HOPS.size(); i++) {
            hops.put(HOPS.get(i), Latencies.of(hopMillis.get(HOPS.get(i))));
        }
        double seconds = Math.max(0.001, (end - start) / 1000.0);
        return new Result(arrivedAt.size() / seconds, seconds, hops, messages - arrivedAt.size(), resent.get(),
                cpuMillis / Math.max(1, messages));
    }

    private static long relayThreadsCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (ThreadInfo thread : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (thread != null && thread.getThreadName().contains(THREAD_MARK)) {
                nanos += Math.max(0, threads.getThreadCpuTime(thread.getThreadId()));
            }
        }
        return nanos;
    }

    /** A hop's producer: acks=all and idempotent, as the services' producers are. */
    private static KafkaProducer<String, byte[]> producer(String bootstrapServers, String clientId) {
        return producer(bootstrapServers, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, clientId));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers, Map<String, Object> settings) {
        Properties properties = new Properties();
        properties.putAll(EmbeddedKafkaBroker.adminConfig(bootstrapServers));
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.putAll(settings);
        return new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The producer that feeds the relay. Not idempotent: with a thousand records handed to it at once into topics
     * just created, Kafka 4.1's idempotent producer here resent a partition's first batch after later ones were
     * written and then retried it forever ({@code OUT_OF_ORDER_SEQUENCE_NUMBER}). One request in flight keeps the
     * order; a duplicate from a retry is counted once, as arrivals are counted by key.
     */
    private static KafkaProducer<String, byte[]> injector(String bootstrapServers, String clientId) {
        return producer(bootstrapServers, Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1, ProducerConfig.CLIENT_ID_CONFIG, clientId));
    }

    /** One hop: reads a topic and sends each record on to the next, timing the hop by the records' timestamps. */
    private static final class Relay extends Thread {

        private final KafkaConsumer<String, byte[]> consumer;
        private final KafkaProducer<String, byte[]> producer;
        private final String from;
        private final String to;
        private final ConcurrentLinkedQueue<Long> hopMillis;
        private final Map<String, Long> arrivedAt;
        private final java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);
        private volatile boolean running = true;
        private final java.util.concurrent.atomic.AtomicInteger resent;

        Relay(String bootstrapServers, String from, String to, ConcurrentLinkedQueue<Long> hopMillis,
              Map<String, Long> arrivedAt, java.util.concurrent.atomic.AtomicInteger resent) {
            super(THREAD_MARK + "-" + from);
            this.resent = resent;
            setDaemon(true);
            this.from = from;
            this.to = to;
            this.hopMillis = hopMillis;
            this.arrivedAt = arrivedAt;
            Map<String, Object> config = new HashMap<>(EmbeddedKafkaBroker.adminConfig(bootstrapServers));
            config.putAll(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, THREAD_MARK + "-" + from,
                    ConsumerConfig.CLIENT_ID_CONFIG, THREAD_MARK + "-" + from + "-consumer",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
            this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
            this.producer = to == null ? null : producer(bootstrapServers, THREAD_MARK + "-" + to + "-producer");
        }

        @Override
        public void run() {
            try {
                consumer.subscribe(List.of(from));
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    if (!consumer.assignment().isEmpty()) {
                        assigned.countDown();
                    }
                    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                    List<ProducerRecord<String, byte[]>> sending = new ArrayList<>();
                    for (ConsumerRecord<String, byte[]> record : records) {
                        long now = System.currentTimeMillis();
                        if (producer != null) {
                            ProducerRecord<String, byte[]> next = new ProducerRecord<>(to, null, now, record.key(),
                                    record.value());
                            sending.add(next);
                            sent.add(producer.send(next));
                            hopMillis.add(now - record.timestamp());
                        } else {
                            arrivedAt.put(record.key(), now);
                        }
                    }
                    // as the services do, a record counts as read only once what it caused is written: a send that
                    // failed (an idempotent producer gives up a batch whose sequence the broker refused) goes again
                    for (int i = 0; i < sent.size(); i++) {
                        sendUntilWritten(sending.get(i), sent.get(i));
                    }
                    consumer.commitAsync();
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(Duration.ofSeconds(2));
                if (producer != null) {
                    producer.close(Duration.ofSeconds(2));
                }
            }
        }

        private void sendUntilWritten(ProducerRecord<String, byte[]> record, java.util.concurrent.Future<?> first) {
            java.util.concurrent.Future<?> attempt = first;
            while (running) {
                try {
                    attempt.get();
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    resent.incrementAndGet();
                    attempt = producer.send(record);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        void awaitAssignment() {
            try {
                if (!assigned.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(getName() + " got no partitions in 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void close() {
            running = false;
            consumer.wakeup();
            try {
                join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
