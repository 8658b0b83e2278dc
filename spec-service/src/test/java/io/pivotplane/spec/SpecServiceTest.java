package io.pivotplane.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.KubernetesApiResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.kit.messaging.DeadLetters;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** spec-service against a real broker, a real PostgreSQL and a Kubernetes API server with the CAPI CRDs. */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = {@io.quarkus.test.common.ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "spec"),
                @io.quarkus.test.common.ResourceArg(name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "spec-service")})
@WithTestResource(value = KubernetesApiResource.class, initArgs = @io.quarkus.test.common.ResourceArg(
        name = KubernetesApiResource.PROVIDER_KINDS_ARG, value = "true"))
class SpecServiceTest {

    static final URI TEST_SOURCE = URI.create("/pivotplane/test");

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @InjectInfrastructure
    KubernetesApiServer management;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Test
    void createsTheFirstControlPlaneNodesObjectsLabelledAndPublishesSpecsCreated() {
        ClusterSpec spec = TestClusters.vsphere("team-spec", "alpha", 3, 3, List.of());
        EventEnvelope<ClusterRequested> requested = request(spec);

        TopicWriter.send(kafka.bootstrapServers(), requested);

        SpecsCreated created = this.<SpecsCreated>awaitEvents(Topics.CLUSTER_SPECS_CREATED, requested.subject(), 1)
                .get(0);
        assertThat(created.namespace()).isEqualTo("team-spec");
        assertThat(created.objects()).extracting(o -> o.kind())
                .containsExactly("Cluster", "VSphereCluster", "VSphereMachineTemplate", "KubeadmControlPlane",
                        "ConfigMap");
        KubernetesClient client = management.client();
        GenericKubernetesResource controlPlane = client.genericKubernetesResources(Capi.CONTROL_PLANE_API_VERSION,
                Capi.KUBEADM_CONTROL_PLANE).inNamespace("team-spec").withName("alpha").get();
        assertThat(ObjectMaps.integer(controlPlane, 0, "spec", "replicas")).isEqualTo(1);
        for (var reference : created.objects()) {
            HasMetadata object = client.genericKubernetesResources(reference.apiVersion(), reference.kind())
                    .inNamespace(reference.namespace()).withName(reference.name()).get();
            assertThat(object).as(reference.toString()).isNotNull();
            assertThat(object.getMetadata().getLabels()).containsEntry(Capi.CLUSTER_NAME_LABEL, "alpha");
        }
        ConfigMap desired = client.configMaps().inNamespace("team-spec")
                .withName(DesiredSpecConfigMap.name("alpha")).get();
        assertThat(DesiredSpecConfigMap.read(desired)).contains(spec);
        assertThat(desired.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getKind()).isEqualTo(Capi.CLUSTER));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(registry.find("pivotplane.events.consumed").tags("consumer", "spec-service",
                    "type", "io.pivotplane.cluster.requested.v1", "outcome", "handled").counter())
                    .isNotNull().satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
            assertThat(registry.find("pivotplane.events.handling").tags("type", "io.pivotplane.cluster.requested.v1")
                    .timer()).isNotNull().satisfies(t -> assertThat(t.count()).isGreaterThanOrEqualTo(1));
            assertThat(registry.find("pivotplane.events.produced").tags("type",
                    "io.pivotplane.cluster.specs-created.v1", "outcome", "published").counter()).isNotNull();
        });
    }

    @Test
    void theSameEventTwiceChangesNothing() throws Exception {
        EventEnvelope<ClusterRequested> requested = request(TestClusters.vsphere("team-spec", "twice", 3, 0, List.of()));
        TopicWriter.send(kafka.bootstrapServers(), requested);
        SpecsCreated created = this.<SpecsCreated>awaitEvents(Topics.CLUSTER_SPECS_CREATED, requested.subject(), 1)
                .get(0);
        Map<String, String> versionsBefore = resourceVersions(created);

        RecordMetadata duplicate = TopicWriter.send(kafka.bootstrapServers(), requested);
        await().atMost(Duration.ofSeconds(30)).until(() -> TopicReader.committedOffset(kafka.bootstrapServers(),
                "spec-service", new TopicPartition(duplicate.topic(), duplicate.partition())) > duplicate.offset());

        assertThat(processed(requested.id())).isTrue();
        assertThat(events(Topics.CLUSTER_SPECS_CREATED, requested.subject())).hasSize(1);
        assertThat(resourceVersions(created)).isEqualTo(versionsBefore);
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void everyInfrastructureGetsItsFirstControlPlaneNodesObjects(String provider) {
        ClusterSpec spec = TestClusters.of(provider, "team-spec", "first-" + provider, 3, 2, List.of());
        EventEnvelope<ClusterRequested> requested = request(spec);
        List<GenericKubernetesResource> expected = Renderers.forProvider(provider)
                .render(requested.subject(), spec, RenderPhase.MANAGEMENT);

        TopicWriter.send(kafka.bootstrapServers(), requested);

        SpecsCreated created = this.<SpecsCreated>awaitEvents(Topics.CLUSTER_SPECS_CREATED, requested.subject(), 1)
                .get(0);
        assertThat(created.objects()).extracting(o -> o.kind() + "/" + o.name()).containsExactlyElementsOf(
                java.util.stream.Stream.concat(expected.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()),
                        java.util.stream.Stream.of("ConfigMap/" + DesiredSpecConfigMap.name(spec.name()))).toList());
        KubernetesClient client = management.client();
        GenericKubernetesResource cluster = client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                .inNamespace("team-spec").withName(spec.name()).get();
        GenericKubernetesResource controlPlane = client.genericKubernetesResources(Capi.CONTROL_PLANE_API_VERSION,
                Capi.KUBEADM_CONTROL_PLANE).inNamespace("team-spec")
                .withName(ObjectMaps.string(cluster, "spec", "controlPlaneRef", "name").orElseThrow()).get();
        assertThat(ObjectMaps.integer(controlPlane, 0, "spec", "replicas")).isEqualTo(1);
    }

    @Test
    void aClusterWhoseDeletionCameFirstIsNeverCreated() {
        ClusterSpec spec = TestClusters.vsphere("team-spec", "gone-before", 1, 0, List.of());
        EventEnvelope<ClusterRequested> requested = request(spec);
        RecordMetadata deletion = TopicWriter.send(kafka.bootstrapServers(), EventEnvelope.create(TEST_SOURCE,
                requested.correlationId(), new ClusterDeletionRequested(requested.subject(), spec.name(),
                        spec.project(), Instant.now())));
        await().atMost(Duration.ofSeconds(30)).until(() -> TopicReader.committedOffset(kafka.bootstrapServers(),
                "spec-service", new TopicPartition(deletion.topic(), deletion.partition())) > deletion.offset());

        RecordMetadata request = TopicWriter.send(kafka.bootstrapServers(), requested);
        await().atMost(Duration.ofSeconds(30)).until(() -> TopicReader.committedOffset(kafka.bootstrapServers(),
                "spec-service", new TopicPartition(request.topic(), request.partition())) > request.offset());

        assertThat(events(Topics.CLUSTER_SPECS_CREATED, requested.subject())).isEmpty();
        assertThat(management.client().genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                .inNamespace("team-spec").withName("gone-before").get()).isNull();
    }

    @Test
    void anInfrastructureWithoutRendererEndsInProvisioningFailedThatSaysWhy() {
        EventEnvelope<ClusterRequested> requested = request(TestClusters.onUnknownInfrastructure("team-spec", "cloudy"));

        TopicWriter.send(kafka.bootstrapServers(), requested);

        ProvisioningFailed failed = this.<ProvisioningFailed>awaitEvents(Topics.CLUSTER_FAILED,
                requested.subject(), 1).get(0);
        assertThat(failed.stage()).isEqualTo(Stage.SPECS_CREATED);
        assertThat(failed.reason()).isEqualTo("UnsupportedInfrastructure");
        assertThat(failed.message()).contains("'openstack'");
        assertThat(management.client().genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                .inNamespace("team-spec").withName("cloudy").get()).isNull();
    }

    @Test
    void anUnreadableRecordGoesToTheDeadLetterTopicWithItsReasonAndTheNextIsHandled() {
        String key = UUID.randomUUID().toString();
        TopicWriter.sendRaw(kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED, key,
                "not an event".getBytes(StandardCharsets.UTF_8));
        EventEnvelope<ClusterRequested> next = request(TestClusters.vsphere("team-spec", "after-garbage", 1, 0,
                List.of()));
        TopicWriter.send(kafka.bootstrapServers(), next);

        awaitEvents(Topics.CLUSTER_SPECS_CREATED, next.subject(), 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                TopicReader.readRaw(kafka.bootstrapServers(),
                        Topics.deadLetter(Topics.CLUSTER_REQUESTED)))
                .anySatisfy(record -> {
                    assertThat(record.key()).isEqualTo(key);
                    assertThat(new String(record.headers().lastHeader(DeadLetters.REASON_HEADER).value(),
                            StandardCharsets.UTF_8)).contains("unreadable event");
                }));
        assertThat(registry.find("pivotplane.events.dead.lettered").tags("topic", Topics.CLUSTER_REQUESTED).counter())
                .isNotNull().satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1));
    }

    @Test
    void tombstonesGoToTheDeadLetterTopicAndEveryConsumerGoesOn() {
        List<String> keys = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                UUID.randomUUID().toString());
        keys.forEach(key -> TopicWriter.sendRaw(kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED, key, null));
        EventEnvelope<ClusterRequested> next = request(TestClusters.vsphere("team-spec", "after-tombstones", 1, 0,
                List.of()));
        TopicWriter.send(kafka.bootstrapServers(), next);

        awaitEvents(Topics.CLUSTER_SPECS_CREATED, next.subject(), 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                TopicReader.readRaw(kafka.bootstrapServers(), Topics.deadLetter(Topics.CLUSTER_REQUESTED)))
                .filteredOn(record -> keys.contains(record.key()))
                .hasSize(keys.size())
                .allSatisfy(record -> assertThat(new String(record.headers().lastHeader(DeadLetters.REASON_HEADER)
                        .value(), StandardCharsets.UTF_8)).contains("tombstone")));
    }

    private static EventEnvelope<ClusterRequested> request(ClusterSpec spec) {
        String clusterId = UUID.randomUUID().toString();
        return EventEnvelope.create(TEST_SOURCE, UUID.randomUUID().toString(),
                new ClusterRequested(clusterId, spec, Instant.now()));
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> events(String topic, String clusterId) {
        return TopicReader.payloads(kafka.bootstrapServers(), topic, clusterId).stream().map(payload -> (T) payload)
                .toList();
    }

    private <T> List<T> awaitEvents(String topic, String clusterId, int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> events(topic, clusterId).size() >= count);
        return events(topic, clusterId);
    }

    private boolean processed(String eventId) throws Exception {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT count(*) FROM processed_event WHERE event_id = ?")) {
            select.setString(1, eventId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1) > 0;
            }
        }
    }

    private Map<String, String> resourceVersions(SpecsCreated created) {
        return created.objects().stream().collect(Collectors.toMap(o -> o.kind() + "/" + o.name(),
                o -> management.client().genericKubernetesResources(o.apiVersion(), o.kind())
                        .inNamespace(o.namespace()).withName(o.name()).get().getMetadata().getResourceVersion()));
    }
}
