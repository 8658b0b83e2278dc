package io.pivotplane.devstack.benchmark;

import io.pivotplane.devstack.Service;
import io.pivotplane.devstack.infra.DaemonThreads;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.simulator.SharedAgentChannels;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.AgentVersions;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Topics;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.model.Condition;
import io.pivotplane.events.model.MachineCounts;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The plane at rest under a fleet ({@code bin/benchmark --fleet 10000}): N pivoted clusters whose agents do nothing but
 * report, a heartbeat with their cluster's status every production interval, as the agent's own format and signature
 * have it ({@link AgentReport}, signed with each cluster's key derived from the plane's secret, keyed by cluster on
 * {@code agent.reports}). The agents are synthetic: a workload cluster at rest changes nothing that its agent's
 * heartbeat would not say, and simulating ten thousand API servers would measure the simulator.
 *
 * <p>Fleet time is compressed: the heartbeats of {@code fleetTime} are sent {@code speedup} times faster. What the
 * plane costs at the production rate is then its idle cost (measured first, with the fleet silent) plus the CPU the
 * fleet's heartbeats cost it, spread over the fleet time rather than the shorter real time. The services' heap is
 * taken after a full collection before the fleet starts and every tenth of the fleet time.
 */
final class FleetAtRest {

    /** What the heartbeat of a cluster at rest says, as {@code ClusterScaler} observes it. */
    private static final MachineCounts AT_REST = new MachineCounts(3, 3, 3, 3);
    private static final String ADDON_GROUP = Service.ADDON.module();

    record Settings(int clusters, Duration fleetTime, int speedup, Duration heartbeatInterval, Duration idleTime) {
    }

    private FleetAtRest() {
    }

    static Map<String, Object> run(String bootstrapServers, String planeSecret, ProcessMeter meter, Settings settings,
                                   PrintStream out) throws Exception {
        Map<String, byte[]> keys = new HashMap<>();
        List<String> clusterIds = new ArrayList<>();
        byte[] secret = AgentMacs.decodeKey(planeSecret, "the plane's agent keys secret");
        for (int i = 0; i < settings.clusters(); i++) {
            String id = UUID.randomUUID().toString();
            clusterIds.add(id);
            keys.put(id, AgentMacs.agentKey(secret, id));
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("clusters", settings.clusters());
        figures.put("fleetSeconds", settings.fleetTime().toSeconds());
        figures.put("speedup", settings.speedup());
        figures.put("heartbeatIntervalSeconds", settings.heartbeatInterval().toSeconds());

        out.printf("fleet: measuring the plane idle for %d s%n", settings.idleTime().toSeconds());
        Map<String, Double> idleCores = meter.coresOver(settings.idleTime());

        Map<String, List<Double>> heapMiB = new ConcurrentHashMap<>();
        recordHeaps(meter, heapMiB);
        Duration realTime = settings.fleetTime().dividedBy(settings.speedup());
        long heartbeats = settings.clusters() * settings.fleetTime().toMillis() / settings.heartbeatInterval().toMillis();
        out.printf("fleet: %d clusters, a heartbeat each every %s of fleet time: %d heartbeats in %s (x%d), %.0f per "
                        + "second%n", settings.clusters(), settings.heartbeatInterval(), heartbeats, realTime,
                settings.speedup(), heartbeats / (realTime.toMillis() / 1000.0));

        long deadLettersBefore = endOffset(bootstrapServers, Topics.deadLetter(Topics.AGENT_REPORTS));
        meter.start();
        long start = System.nanoTime();
        AtomicLong failed = new AtomicLong();
        long behindMillis = 0;
        // the heap is taken beside the agents' schedule: a full collection in five JVMs takes a while
        ScheduledExecutorService heapTaker = Executors.newSingleThreadScheduledExecutor(
                DaemonThreads.named("fleet-heap"));
        long tenth = realTime.toMillis() / 10;
        AtomicLong tenths = new AtomicLong();
        heapTaker.scheduleAtFixedRate(() -> {
            out.printf("fleet: %d%% of the fleet time sent%n", tenths.incrementAndGet() * 10);
            recordHeaps(meter, heapMiB);
        }, tenth, tenth, TimeUnit.MILLISECONDS);
        try (KafkaProducer<String, EventEnvelope<?>> producer = SharedAgentChannels.reportProducer(bootstrapServers,
                "fleet-agents", keys::get)) {
            double nanosPerHeartbeat = realTime.toNanos() / (double) heartbeats;
            for (long k = 0; k < heartbeats; k++) {
                long due = start + (long) (k * nanosPerHeartbeat);
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else if (wait < 0) {
                    behindMillis = Math.max(behindMillis, -wait / 1_000_000);
                }
                String clusterId = clusterIds.get((int) (k % settings.clusters()));
                producer.send(new ProducerRecord<>(Topics.AGENT_REPORTS, clusterId, heartbeat(clusterId)),
                        (metadata, e) -> {
                            if (e != null) {
                                failed.incrementAndGet();
                            }
                        });
            }
            producer.flush();
        } finally {
            heapTaker.shutdown();
            heapTaker.awaitTermination(1, TimeUnit.MINUTES);
        }
        double sentSeconds = (System.nanoTime() - start) / 1e9;
        boolean drained = awaitRead(bootstrapServers, endOffset(bootstrapServers, Topics.AGENT_REPORTS),
                Duration.ofMinutes(5));
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Map<String, Double>> processes = meter.figures();
        recordHeaps(meter, heapMiB);
        long deadLettered = endOffset(bootstrapServers, Topics.deadLetter(Topics.AGENT_REPORTS)) - deadLettersBefore;

        Map<String, Object> cores = new LinkedHashMap<>();
        double planeCores = 0;
        double planeCoresCompressed = 0;
        double fleetSeconds = settings.fleetTime().toSeconds();
        for (Service service : Service.all()) {
            String name = service.module();
            double cpu = processes.get(name).get("cpuSeconds");
            double idle = idleCores.get(name);
            double atProductionRate = idle + Math.max(0, cpu - idle * seconds) / fleetSeconds;
            planeCores += atProductionRate;
            planeCoresCompressed += cpu / seconds;
            cores.put(name, Map.of("idleCores", idle, "compressedCores", cpu / seconds,
                    "productionRateCores", atProductionRate, "cpuSeconds", cpu));
        }
        figures.put("heartbeatsSent", heartbeats - failed.get());
        figures.put("heartbeatsFailed", failed.get());
        figures.put("senderBehindMillisMax", behindMillis);
        figures.put("sentSeconds", sentSeconds);
        figures.put("allReadByAddonService", drained);
        figures.put("deadLettered", deadLettered);
        figures.put("planeCoresAtProductionRate", planeCores);
        figures.put("planeCoresCompressed", planeCoresCompressed);
        figures.put("services", cores);
        figures.put("heapAfterFullGcMiB", heapMiB);
        figures.put("devstackCpuSeconds", processes.get(ProcessMeter.SELF).get("cpuSeconds"));

        out.println();
        out.printf("fleet: %d clusters at rest, %s of fleet time in %.0f s (x%d): %d heartbeats sent (%d failed), "
                        + "%s, %d dead-lettered%n", settings.clusters(), settings.fleetTime(), sentSeconds,
                settings.speedup(), heartbeats - failed.get(), failed.get(),
                drained ? "all read by addon-service" : "NOT all read by addon-service within 5 minutes", deadLettered);
        out.println("the plane's CPU, in cores: idle / during the compressed run / at the production rate:");
        cores.forEach((name, value) -> {
            @SuppressWarnings("unchecked")
            Map<String, Double> c = (Map<String, Double>) value;
            out.printf("  %-20s %6.3f / %6.3f / %6.3f%n", name, c.get("idleCores"), c.get("compressedCores"),
                    c.get("productionRateCores"));
        });
        out.printf("the plane: %.3f of a core for %d clusters at the production rate (%.3f while compressed x%d)%n",
                planeCores, settings.clusters(), planeCoresCompressed, settings.speedup());
        out.println("heap after a full GC, MiB, before the fleet and every tenth of its time:");
        Service.all().stream().map(Service::module).forEach(name -> {
            List<Double> series = heapMiB.get(name);
            out.printf("  %-20s %s  (x%.2f)%n", name, series.stream()
                    .map(v -> String.format("%.1f", v)).collect(Collectors.joining(" ")),
                    series.get(series.size() - 1) / series.get(0));
        });
        if (behindMillis > 1000) {
            out.printf("fleet: WARNING: the synthetic agents fell %d ms behind their schedule: the rate offered was "
                    + "lower than %d per second%n", behindMillis, heartbeats / Math.max(1, realTime.toSeconds()));
        }
        return figures;
    }

    /** A heartbeat of a pivoted cluster at rest, with the conditions its agent's look at the cluster gives. */
    private static EventEnvelope<AgentReport> heartbeat(String clusterId) {
        Instant now = Instant.now();
        List<Condition> conditions = List.of(
                new Condition(AgentReport.CONDITION_SPEC_AVAILABLE, "True", "Found", null, now),
                new Condition(AgentReport.CONDITION_SELF_MANAGED, "True", "Pivoted", null, now),
                new Condition(AgentReport.CONDITION_SCALED, "True", "AllMachinesReady", AT_REST.toString(), now));
        AgentReport report = new AgentReport(clusterId, AgentReport.Kind.HEARTBEAT, now, AT_REST, conditions, null,
                null, List.of()).fromAgent(AgentVersions.current());
        return EventEnvelope.create(URI.create("/pivotplane/agent/" + clusterId), clusterId, report);
    }

    private static void recordHeaps(ProcessMeter meter, Map<String, List<Double>> heapMiB) {
        for (Service service : Service.all()) {
            heapMiB.computeIfAbsent(service.module(), name -> new CopyOnWriteArrayList<>())
                    .add(meter.heapAfterFullGc(service.module()) / 1048576.0);
        }
    }

    /** Waits until addon-service's group has committed every report up to {@code end}. */
    private static boolean awaitRead(String bootstrapServers, long end, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(EmbeddedKafkaBroker.adminConfig(bootstrapServers))) {
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(ADDON_GROUP)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
                long read = committed.entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(Topics.AGENT_REPORTS) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (read >= end) {
                    return true;
                }
                Thread.sleep(500);
            }
        }
        return false;
    }

    /** The sum of the end offsets of a topic's partitions: how many records it ever held; 0 if it does not exist. */
    private static long endOffset(String bootstrapServers, String topic) throws Exception {
        try (Admin admin = Admin.create(EmbeddedKafkaBroker.adminConfig(bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            if (!existing.contains(topic)) {
                return 0;
            }
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(topic).partitions();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            ListOffsetsResult offsets = admin.listOffsets(latest);
            long sum = 0;
            for (var info : offsets.all().get(30, TimeUnit.SECONDS).values()) {
                sum += info.offset();
            }
            return sum;
        }
    }
}
