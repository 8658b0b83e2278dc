package io.pivotplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.devstack.LocalStack;
import io.pivotplane.devstack.Service;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Twenty clusters in flight while every service is killed with SIGKILL in turn, Kafka is restarted and so is
 * PostgreSQL: each cluster still reaches {@code AddonsInstalled}, each stage is published once, the CAPI objects end
 * in the workload clusters once each and nowhere else, and every channel of every service runs.
 */
class ChaosTest {

    private static final String PROJECT_NAMESPACE = "team-chaos";
    private static final int CLUSTERS = 20;
    private static final List<String> STAGE_TOPICS = List.of(Topics.CLUSTER_REQUESTED, Topics.CLUSTER_SPECS_CREATED,
            Topics.CLUSTER_CONTROL_PLANE_READY, Topics.CLUSTER_PIVOTED, Topics.CLUSTER_ADDONS_INSTALLED);

    static StackOutput output;
    static LocalStack stack;
    static PivotplaneApi api;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startStack() throws Exception {
        output = new StackOutput(PipelineTest.PROJECT.resolve("e2e/target/e2e-logs/chaos-stack.log"));
        stack = PipelineTest.startStack(output);
        api = new PivotplaneApi(stack.apiUrl(), stack.token());
    }

    @AfterAll
    static void stopStack() throws IOException {
        PipelineTest.stopStack(stack, output);
    }

    @Test
    void everyClusterReachesAddonsInstalledOnceWhileEachServiceKafkaAndPostgresqlGoDownInTurn() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CLUSTERS; i++) {
            ObjectNode request = PipelineTest.vsphereRequest("chaos-" + i, PROJECT_NAMESPACE);
            ((ObjectNode) request.path("controlPlane")).put("replicas", 1);
            ((ObjectNode) request.path("workerPools").path(0)).put("replicas", 1);
            @SuppressWarnings("unchecked")
            Map<String, Object> body = PivotplaneApi.JSON.convertValue(request, Map.class);
            ids.add(api.create(TestCredentials.prepare(stack.management().client(), body)));
        }

        List<Runnable> faults = new ArrayList<>();
        for (Service service : Service.all()) {
            faults.add(() -> killAndRestart(service));
        }
        faults.add(() -> {
            stack.kafka().stop();
            stack.kafka().restart();
        });
        faults.add(() -> {
            stack.postgres().stop();
            stack.postgres().restart();
        });
        int progress = progress(ids);
        List<Integer> clustersDoneAtEachFault = new ArrayList<>();
        for (Runnable fault : faults) {
            clustersDoneAtEachFault.add(done(ids));
            fault.run();
            // the next fault only once the pipeline moved on since this one, or had nothing left to do
            int before = progress;
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> progress(ids) > before || done(ids) == CLUSTERS);
            progress = progress(ids);
        }
        output.printStream().println("Clusters at AddonsInstalled when each fault began: " + clustersDoneAtEachFault);
        assertThat(clustersDoneAtEachFault.get(0)).as("the faults begin with every cluster in flight").isZero();

        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                .failFast("a cluster failed", () -> ids.stream().anyMatch(id -> stageOf(id).equals("Failed")))
                .until(() -> done(ids) == CLUSTERS);

        for (String topic : STAGE_TOPICS) {
            Map<String, List<String>> recordsPerCluster = TopicReader.readAll(stack.kafka().bootstrapServers(), topic)
                    .stream().filter(record -> ids.contains(record.key()))
                    .collect(Collectors.groupingBy(ConsumerRecord::key, Collectors.mapping(ChaosTest::describe,
                            Collectors.toList())));
            assertThat(recordsPerCluster).as("records of each cluster on %s", topic).hasSize(CLUSTERS)
                    .allSatisfy((id, records) -> assertThat(records).as("records of %s on %s", id, topic).hasSize(1));
        }
        assertThat(keysOn(Topics.CLUSTER_FAILED, ids)).isEmpty();
        for (String topic : Topics.ALL) {
            assertThat(keysOn(Topics.deadLetter(topic), ids)).as("dead letters of the clusters on %s", topic).isEmpty();
        }
        assertCapiObjectsEndedInTheirWorkloadClusterOnceEach(ids);
        for (Service service : Service.all()) {
            assertThat(health(service, "ready")).as("%s is ready", service.module()).isEqualTo(200);
            assertThat(health(service, "live")).as("%s: every channel runs", service.module()).isEqualTo(200);
        }
    }

    private void assertCapiObjectsEndedInTheirWorkloadClusterOnceEach(List<String> ids) {
        Map<String, Pivoted> pivots = new HashMap<>();
        Map<String, String> endpoints = new HashMap<>();
        TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.CLUSTER_PIVOTED).stream()
                .filter(record -> ids.contains(record.key()))
                .forEach(record -> pivots.put(record.key(), (Pivoted) record.value().payload()));
        TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.CLUSTER_CONTROL_PLANE_READY).stream()
                .filter(record -> ids.contains(record.key()))
                .map(ConsumerRecord::value).map(EventEnvelope::payload).map(ControlPlaneReady.class::cast)
                .forEach(ready -> endpoints.put(ready.clusterId(), ready.apiEndpoint()));
        for (int i = 0; i < CLUSTERS; i++) {
            String id = ids.get(i);
            String name = "chaos-" + i;
            assertThat(PipelineTest.clusterObjects(stack.management().client(), PROJECT_NAMESPACE, name))
                    .as("objects of %s left in the management cluster", name).isEmpty();
            KubernetesClient workload = stack.workloadClient(endpoints.get(id));
            List<HasMetadata> moved = PipelineTest.objects(workload, PROJECT_NAMESPACE).stream()
                    .filter(o -> o.getMetadata().getAnnotations() != null
                            && o.getMetadata().getAnnotations().containsKey(Capi.MOVED_FROM_UID_ANNOTATION))
                    .toList();
            assertThat(moved.stream().map(o -> o.getMetadata().getAnnotations().get(Capi.MOVED_FROM_UID_ANNOTATION)))
                    .as("objects of %s moved twice", name).doesNotHaveDuplicates();
            Set<String> expected = pivots.get(id).movedObjects().stream().map(o -> o.kind() + "/" + o.name())
                    .filter(object -> !object.equals("ConfigMap/" + name + "-lock"))
                    .collect(Collectors.toSet());
            assertThat(moved.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()))
                    .as("objects of %s in its workload cluster", name).containsExactlyInAnyOrderElementsOf(expected);
            PipelineTest.assertOwnerReferencesResolve(workload, PROJECT_NAMESPACE);
        }
    }

    /** What tells a record published twice from two events with the same content. */
    private static String describe(ConsumerRecord<String, EventEnvelope<?>> record) {
        return "event " + record.value().id() + " at offset " + record.offset() + " of partition "
                + record.partition() + ", produced " + Instant.ofEpochMilli(record.timestamp());
    }

    private void killAndRestart(Service service) {
        try {
            stack.kill(service);
            stack.restart(service, Map.of());
        } catch (Exception e) {
            throw new IllegalStateException(service.module() + " did not come back", e);
        }
    }

    /** The stages reached by all the clusters together: it grows while the pipeline moves. */
    private int progress(List<String> ids) {
        return ids.stream().mapToInt(id -> PipelineTest.STAGES_IN_ORDER.indexOf(stageOf(id)) + 1).sum();
    }

    private int done(List<String> ids) {
        return (int) ids.stream().filter(id -> stageOf(id).equals("AddonsInstalled")).count();
    }

    private static String stageOf(String id) {
        try {
            return api.stage(id);
        } catch (IOException e) {
            throw new IllegalStateException("request-service did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> keysOn(String topic, List<String> ids) {
        return TopicReader.readRaw(stack.kafka().bootstrapServers(), topic).stream().map(ConsumerRecord::key)
                .filter(ids::contains).toList();
    }

    private int health(Service service, String probe) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port(service)
                + "/q/health/" + probe)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
