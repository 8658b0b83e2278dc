package io.pivotplane.pivot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.simulator.InfrastructureSimulator;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.KubernetesApiResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.ClusterDeleted;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.SecretReference;
import io.pivotplane.kit.messaging.ProcessedEvents;
import io.pivotplane.kit.persistence.Transactions;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** pivot-service against a real broker and PostgreSQL, the simulator acting as CAPI on both sides. */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class,
        initArgs = @ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "pivot"))
@WithTestResource(KubernetesApiResource.class)
class PivotServiceTest {

    static final String NAMESPACE = "team-pivot";

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @InjectInfrastructure
    KubernetesApiServer management;

    InfrastructureSimulator simulator;

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @jakarta.inject.Inject
    Transactions transactions;

    @jakarta.inject.Inject
    ProcessedEvents processed;

    @BeforeEach
    void startSimulator() {
        simulator = InfrastructureSimulator.start(management.client(), SimulatorSettings.IMMEDIATE);
    }

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void movesEveryObjectWithOwnersRewrittenThenTheAgentScalesTheClusterItself() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "moving", 3, 2, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        Set<String> before = clusterObjects(management.client(), "moving");

        TopicWriter.send(kafka.bootstrapServers(), ready);

        Pivoted pivoted = awaitOne(Topics.CLUSTER_PIVOTED, ready.subject(), Pivoted.class);
        KubernetesClient workload = simulator.workloadClient(ready.payload().apiEndpoint()).orElseThrow();
        assertThat(clusterObjects(management.client(), "moving")).isEmpty();
        assertThat(clusterObjects(workload, "moving")).containsAll(before);
        assertThat(pivoted.movedObjects()).hasSize(before.size());
        assertEveryOwnerReferenceResolves(workload);
        assertThat(ObjectMaps.isTrue(get(workload, Capi.CORE_API_VERSION, Capi.CLUSTER, "moving"), "spec", "paused"))
                .isFalse();
        assertThat(workload.apps().deployments().inNamespace(AgentManifests.NAMESPACE).withName(AgentManifests.NAME)
                .get()).isNotNull();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(ObjectMaps.integer(get(workload, Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE,
                    "moving"), 0, "status", "readyReplicas")).isEqualTo(3);
            assertThat(ObjectMaps.integer(get(workload, Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT, "moving-md-0"),
                    0, "status", "readyReplicas")).isEqualTo(2);
        });
        awaitScaled(ready.subject(), Duration.ofSeconds(30));
        assertThat(clusterObjects(management.client(), "moving")).isEmpty();
        assertThat(List.of("preflight", "install_agent", "pause", "collect", "create_in_target", "delete_from_source",
                "unpause")).allSatisfy(step -> assertThat(registry.find("pivotplane.pivot.step").tag("step", step)
                .timer()).as(step).isNotNull());
    }

    @Test
    void theSameReadinessTwiceMovesOnceAndPublishesOnce() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "twice", 1, 0, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        TopicWriter.send(kafka.bootstrapServers(), ready);
        awaitOne(Topics.CLUSTER_PIVOTED, ready.subject(), Pivoted.class);
        KubernetesClient workload = simulator.workloadClient(ready.payload().apiEndpoint()).orElseThrow();
        Set<String> uids = uids(workload, "twice");

        // the same fact again, as another event (not a redelivery the inbox would drop)
        EventEnvelope<ControlPlaneReady> again = EventEnvelope.create(URI.create("/pivotplane/test"),
                ready.correlationId(), ready.payload());
        var written = TopicWriter.send(kafka.bootstrapServers(), again);
        await().atMost(Duration.ofSeconds(30)).until(() -> TopicReader.committedOffset(kafka.bootstrapServers(),
                "pivot-service", new TopicPartition(written.topic(), written.partition()))
                > written.offset());

        assertThat(events(Topics.CLUSTER_PIVOTED, ready.subject())).hasSize(1);
        assertThat(uids(workload, "twice")).isEqualTo(uids);
    }

    @Test
    void anObjectTheWorkloadClusterCannotTakeRollsTheMoveBackAndSaysWhich() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "blocked", 1, 0, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        KubernetesClient workload = simulator.workloadClient(ready.payload().apiEndpoint()).orElseThrow();
        GenericKubernetesResource squatter = new GenericKubernetesResourceBuilder()
                .withApiVersion(Capi.CONTROL_PLANE_API_VERSION).withKind(Capi.KUBEADM_CONTROL_PLANE)
                .withNewMetadata().withName("blocked").withNamespace(NAMESPACE).endMetadata().build();
        squatter.setAdditionalProperty("spec", java.util.Map.of("replicas", 1));
        workload.resource(squatter).create();

        TopicWriter.send(kafka.bootstrapServers(), ready);

        ProvisioningFailed failed = awaitOne(Topics.CLUSTER_FAILED, ready.subject(), ProvisioningFailed.class);
        assertThat(failed.stage()).isEqualTo(Stage.PIVOTED);
        assertThat(failed.reason()).isEqualTo("PivotRolledBack");
        assertThat(failed.message()).contains("KubeadmControlPlane blocked", "rolled back");
        GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER, "blocked");
        assertThat(ObjectMaps.isTrue(cluster, "spec", "paused")).isFalse();
        assertThat(get(workload, Capi.CORE_API_VERSION, Capi.CLUSTER, "blocked")).isNull();
        assertThat(events(Topics.CLUSTER_PIVOTED, ready.subject())).isEmpty();
    }

    @Test
    void aClusterDeletedBeforeItsPivotIsTornDownInTheManagementClusterAndNeverMoves() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "short-lived", 1, 0, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        assertThat(clusterObjects(management.client(), "short-lived")).isNotEmpty();

        TopicWriter.send(kafka.bootstrapServers(), deletionRequested(ready, spec));

        ClusterDeleted deleted = awaitOne(Topics.CLUSTER_DELETED, ready.subject(), ClusterDeleted.class);
        assertThat(deleted.location()).isEqualTo(ClusterDeleted.MANAGEMENT);
        assertThat(deleted.deletedObjects()).extracting(o -> o.kind()).startsWith(Capi.KUBEADM_CONTROL_PLANE)
                .contains(Capi.CLUSTER);
        assertThat(clusterObjects(management.client(), "short-lived")).isEmpty();

        var written = TopicWriter.send(kafka.bootstrapServers(), ready);
        await().atMost(Duration.ofSeconds(30)).until(() -> TopicReader.committedOffset(kafka.bootstrapServers(),
                "pivot-service", new TopicPartition(written.topic(), written.partition()))
                > written.offset());
        assertThat(events(Topics.CLUSTER_PIVOTED, ready.subject())).isEmpty();
    }

    @Test
    void agentHeartbeatsPassByWithoutAnInboxRowAndTheirOffsetsAreCommitted() throws Exception {
        String clusterId = UUID.randomUUID().toString();
        EventEnvelope<AgentReport> heartbeat = EventEnvelope.create(URI.create("/pivotplane/agent/" + clusterId),
                clusterId, new AgentReport(clusterId, AgentReport.Kind.HEARTBEAT, Instant.now(), null,
                        List.of(), null, null, List.of()));

        var written = TopicWriter.send(kafka.bootstrapServers(), heartbeat);

        var partition = new TopicPartition(written.topic(), written.partition());
        await().atMost(Duration.ofSeconds(30)).until(() ->
                TopicReader.committedOffset(kafka.bootstrapServers(), "pivot-service", partition) > written.offset());
        boolean inInbox = transactions.inTransaction(connection -> processed.contains(connection, "pivot-service",
                heartbeat.id()));
        assertThat(inInbox).as("an inbox row for a heartbeat").isFalse();
        assertThat(registry.find("pivotplane.events.consumed").tags("consumer", "pivot-service",
                "type", heartbeat.type().ceType(), "outcome", "passed_over").counter())
                .isNotNull().satisfies(counter -> assertThat(counter.count()).isGreaterThanOrEqualTo(1));
    }

    @Test
    void aPivotedClusterIsDeletedByItsOwnAgentWorkersFirst() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "self-deleting", 1, 2, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        TopicWriter.send(kafka.bootstrapServers(), ready);
        awaitOne(Topics.CLUSTER_PIVOTED, ready.subject(), Pivoted.class);
        KubernetesClient workload = simulator.workloadClient(ready.payload().apiEndpoint()).orElseThrow();
        awaitScaled(ready.subject(), Duration.ofSeconds(60));

        TopicWriter.send(kafka.bootstrapServers(), deletionRequested(ready, spec));

        ClusterDeleted deleted = awaitOne(Topics.CLUSTER_DELETED, ready.subject(), ClusterDeleted.class);
        assertThat(deleted.location()).isEqualTo(ClusterDeleted.WORKLOAD);
        assertThat(deleted.deletedObjects()).extracting(o -> o.kind())
                .containsSubsequence(Capi.MACHINE_DEPLOYMENT, Capi.KUBEADM_CONTROL_PLANE, Capi.CLUSTER);
        assertThat(clusterObjects(workload, "self-deleting")).isEmpty();
        assertThat(events(Topics.AGENT_COMMANDS, ready.subject())).singleElement()
                .satisfies(command -> assertThat(((AgentCommand) command).kind())
                        .isEqualTo(AgentCommand.Kind.DELETE_CLUSTER));
    }

    private static EventEnvelope<ClusterDeletionRequested> deletionRequested(EventEnvelope<ControlPlaneReady> ready,
                                                                            ClusterSpec spec) {
        return EventEnvelope.create(URI.create("/pivotplane/test"), ready.correlationId(),
                new ClusterDeletionRequested(ready.subject(), spec.name(), spec.project(), Instant.now()));
    }

    /** Creates what spec-service would, lets the simulator bring CP-A up, and returns provisioner's event. */
    private EventEnvelope<ControlPlaneReady> firstControlPlaneNode(ClusterSpec spec) {
        String clusterId = UUID.randomUUID().toString();
        for (GenericKubernetesResource object : Renderers.forProvider("vsphere").render(clusterId, spec,
                RenderPhase.MANAGEMENT)) {
            management.client().resource(object).create();
        }
        management.client().resource(DesiredSpecConfigMap.render(clusterId, spec)).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER,
                    spec.name());
            return ObjectMaps.conditionTrue(cluster, Capi.CONDITION_CONTROL_PLANE_INITIALIZED)
                    && management.client().secrets().inNamespace(NAMESPACE)
                    .withName(Capi.kubeconfigSecretName(spec.name())).get() != null;
        });
        Secret kubeconfig = management.client().secrets().inNamespace(NAMESPACE)
                .withName(Capi.kubeconfigSecretName(spec.name())).get();
        String url = Kubeconfigs.fromSecret(kubeconfig).orElseThrow().getMasterUrl();
        return EventEnvelope.create(URI.create("/pivotplane/test"), UUID.randomUUID().toString(),
                new ControlPlaneReady(clusterId, url, new SecretReference(NAMESPACE,
                        Capi.kubeconfigSecretName(spec.name()), Capi.KUBECONFIG_KEY), Instant.now()));
    }

    /** kind/name of every object of the moved types that belongs to the cluster. */
    private static Set<String> clusterObjects(KubernetesClient client, String cluster) {
        return objects(client).stream()
                .filter(o -> (o.getMetadata().getLabels() != null
                        && cluster.equals(o.getMetadata().getLabels().get(Capi.CLUSTER_NAME_LABEL)))
                        || o.getMetadata().getName().startsWith(cluster + "-"))
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .collect(Collectors.toSet());
    }

    private static Set<String> uids(KubernetesClient client, String cluster) {
        return objects(client).stream().filter(o -> o.getMetadata().getName().startsWith(cluster))
                .map(o -> o.getMetadata().getUid()).collect(Collectors.toSet());
    }

    private static List<HasMetadata> objects(KubernetesClient client) {
        List<HasMetadata> objects = new ArrayList<>();
        for (CapiCrds.StoredKind kind : CapiCrds.storedKinds()) {
            objects.addAll(client.genericKubernetesResources(kind.apiVersion(), kind.kind()).inNamespace(NAMESPACE)
                    .list().getItems());
        }
        objects.addAll(client.secrets().inNamespace(NAMESPACE).list().getItems());
        objects.addAll(client.configMaps().inNamespace(NAMESPACE).list().getItems());
        return objects;
    }

    private static void assertEveryOwnerReferenceResolves(KubernetesClient client) {
        List<HasMetadata> objects = objects(client);
        Set<String> uids = objects.stream().map(o -> o.getMetadata().getUid()).collect(Collectors.toSet());
        for (HasMetadata object : objects) {
            for (OwnerReference owner : java.util.Objects.requireNonNullElse(object.getMetadata().getOwnerReferences(),
                    List.<OwnerReference>of())) {
                assertThat(uids).as("owner %s of %s %s", owner.getName(), object.getKind(),
                        object.getMetadata().getName()).contains(owner.getUid());
            }
        }
    }

    private static GenericKubernetesResource get(KubernetesClient client, String apiVersion, String kind, String name) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(NAMESPACE).withName(name).get();
    }

    private List<ClusterEvent> events(String topic, String clusterId) {
        return TopicReader.payloads(kafka.bootstrapServers(), topic, clusterId);
    }

    /** Until the cluster's agent reported it scaled to its desired size. */
    private void awaitScaled(String clusterId, Duration atMost) {
        await().atMost(atMost).until(() -> events(Topics.AGENT_REPORTS, clusterId).stream()
                .anyMatch(report -> ((AgentReport) report).kind() == AgentReport.Kind.SCALED));
    }

    private <T> T awaitOne(String topic, String clusterId, Class<T> type) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !events(topic, clusterId).isEmpty());
        return type.cast(events(topic, clusterId).get(0));
    }
}
