package io.pivotplane.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.simulator.InfrastructureSimulator;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.KubernetesApiResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.kit.messaging.DeadLetters;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** provisioner-service against a real broker and PostgreSQL, with the simulator acting as CAPI. */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class,
        initArgs = {@ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "provisioner"),
                @ResourceArg(name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "provisioner-service")})
@WithTestResource(KubernetesApiResource.class)
class ProvisionerServiceTest {

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @InjectInfrastructure
    KubernetesApiServer management;


    InfrastructureSimulator simulator;

    @BeforeEach
    void startSimulator() {
        simulator = InfrastructureSimulator.start(management.client(), SimulatorSettings.IMMEDIATE);
    }

    @AfterEach
    void stopSimulator() {
        simulator.close();
    }

    @Test
    void publishesControlPlaneReadyOnceWithTheWorkloadApiAndItsKubeconfigSecret() {
        ClusterSpec spec = TestClusters.vsphere("team-prov", "ready", 3, 0, List.of());
        EventEnvelope<SpecsCreated> specsCreated = createSpecs(spec);

        TopicWriter.send(kafka.bootstrapServers(), specsCreated);
        TopicWriter.send(kafka.bootstrapServers(), specsCreated);

        await().atMost(Duration.ofSeconds(60)).until(() -> !events(Topics.CLUSTER_CONTROL_PLANE_READY,
                specsCreated.subject()).isEmpty());
        ControlPlaneReady ready = (ControlPlaneReady) events(Topics.CLUSTER_CONTROL_PLANE_READY,
                specsCreated.subject()).get(0);
        assertThat(simulator.workloadClient(ready.apiEndpoint())).isPresent();
        assertThat(ready.kubeconfigSecret().name()).isEqualTo("ready-kubeconfig");
        assertThat(ready.kubeconfigSecret().namespace()).isEqualTo("team-prov");
        assertThat(events(Topics.CLUSTER_CONTROL_PLANE_READY, specsCreated.subject())).hasSize(1);
        assertThat(events(Topics.CLUSTER_FAILED, specsCreated.subject())).isEmpty();
    }

    @Test
    void aControlPlaneThatNeverComesUpFailsAfterTheTimeoutSayingWhatIsMissing() {
        EventEnvelope<SpecsCreated> specsCreated = specsOfAClusterThatNeverComesUp("never");
        String clusterId = specsCreated.subject();

        TopicWriter.send(kafka.bootstrapServers(), specsCreated);

        await().atMost(Duration.ofSeconds(60)).until(() -> !events(Topics.CLUSTER_FAILED, clusterId).isEmpty());
        ProvisioningFailed failed = (ProvisioningFailed) events(Topics.CLUSTER_FAILED, clusterId).get(0);
        assertThat(failed.stage()).isEqualTo(Stage.CONTROL_PLANE_READY);
        assertThat(failed.reason()).isEqualTo("ControlPlaneTimeout");
        assertThat(failed.message()).contains("infrastructureReady", "ControlPlaneInitialized", "kubeconfig");
        assertThat(events(Topics.CLUSTER_CONTROL_PLANE_READY, clusterId)).isEmpty();
    }

    @Test
    void aClusterBeingDeletedIsNoLongerAwaitedAndDoesNotTimeOut() {
        EventEnvelope<SpecsCreated> deleted = specsOfAClusterThatNeverComesUp("deleted-early");
        TopicWriter.send(kafka.bootstrapServers(), deleted);
        var deletion = TopicWriter.send(kafka.bootstrapServers(), EventEnvelope.create(URI.create("/pivotplane/test"),
                deleted.correlationId(), new ClusterDeletionRequested(deleted.subject(), "deleted-early", "team-prov",
                        Instant.now())));
        awaitCommitted(deletion);
        // a cluster awaited from now on times out later: once it has, the deleted one would have too
        EventEnvelope<SpecsCreated> sentinel = specsOfAClusterThatNeverComesUp("sentinel");
        TopicWriter.send(kafka.bootstrapServers(), sentinel);

        await().atMost(Duration.ofSeconds(60)).until(() -> !events(Topics.CLUSTER_FAILED, sentinel.subject()).isEmpty());
        assertThat(events(Topics.CLUSTER_FAILED, deleted.subject())).isEmpty();
    }

    @Test
    void specsOfAClusterThatIsNotInTheManagementClusterAreDeadLetteredNotAwaited() {
        EventEnvelope<SpecsCreated> unknown = EventEnvelope.create(URI.create("/pivotplane/test"),
                UUID.randomUUID().toString(), new SpecsCreated(UUID.randomUUID().toString(), "team-prov",
                        List.of(new ObjectReference(Capi.CORE_API_VERSION, Capi.CLUSTER, "team-prov", "nowhere")),
                        Instant.now()));
        EventEnvelope<SpecsCreated> stolen = specsOfAClusterThatNeverComesUp("owned");
        EventEnvelope<SpecsCreated> ofAnother = EventEnvelope.create(URI.create("/pivotplane/test"),
                UUID.randomUUID().toString(), new SpecsCreated(UUID.randomUUID().toString(), "team-prov",
                        stolen.payload().objects(), Instant.now()));

        TopicWriter.send(kafka.bootstrapServers(), unknown);
        TopicWriter.send(kafka.bootstrapServers(), ofAnother);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(deadLetterReasons(unknown.subject()))
                .singleElement(InstanceOfAssertFactories.STRING).contains("team-prov/nowhere", "not in the management cluster"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(deadLetterReasons(ofAnother.subject()))
                .singleElement(InstanceOfAssertFactories.STRING).contains("belongs to cluster '" + stolen.subject() + "'"));
        // once the owner's watch timed out, one registered for the others would have too
        TopicWriter.send(kafka.bootstrapServers(), stolen);
        await().atMost(Duration.ofSeconds(60)).until(() -> !events(Topics.CLUSTER_FAILED, stolen.subject()).isEmpty());
        assertThat(events(Topics.CLUSTER_FAILED, unknown.subject())).isEmpty();
        assertThat(events(Topics.CLUSTER_FAILED, ofAnother.subject())).isEmpty();
    }

    /**
     * A cluster whose objects exist, made without the vCenter credentials its identityRef names: as with real CAPV,
     * its infrastructure never becomes ready.
     */
    private EventEnvelope<SpecsCreated> specsOfAClusterThatNeverComesUp(String name) {
        return specsOf(TestClusters.vsphere("team-prov", name, 1, 0, List.of()));
    }

    private EventEnvelope<SpecsCreated> createSpecs(ClusterSpec spec) {
        // what the operator created next to the management cluster's providers: the vCenter credentials it names
        TestCredentials.create(management.client(), spec);
        return specsOf(spec);
    }

    private void awaitCommitted(RecordMetadata record) {
        await().atMost(Duration.ofSeconds(60)).until(() -> TopicReader.committedOffset(kafka.bootstrapServers(),
                "provisioner-service", new TopicPartition(record.topic(), record.partition())) > record.offset());
    }

    private List<String> deadLetterReasons(String clusterId) {
        return TopicReader.readRaw(kafka.bootstrapServers(), Topics.deadLetter(Topics.CLUSTER_SPECS_CREATED)).stream()
                .filter(record -> clusterId.equals(record.key()))
                .map(record -> new String(record.headers().lastHeader(DeadLetters.REASON_HEADER).value(),
                        StandardCharsets.UTF_8))
                .toList();
    }

    private EventEnvelope<SpecsCreated> specsOf(ClusterSpec spec) {
        String clusterId = UUID.randomUUID().toString();
        TestCredentials.namespace(management.client(), spec.project());
        List<GenericKubernetesResource> objects = Renderers.forProvider("vsphere")
                .render(clusterId, spec, RenderPhase.MANAGEMENT);
        objects.forEach(object -> management.client().resource(object).create());
        return EventEnvelope.create(URI.create("/pivotplane/test"), UUID.randomUUID().toString(),
                new SpecsCreated(clusterId, spec.project(), objects.stream().map(o -> new ObjectReference(
                        o.getApiVersion(), o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName()))
                        .toList(), Instant.now()));
    }

    private List<ClusterEvent> events(String topic, String clusterId) {
        return TopicReader.payloads(kafka.bootstrapServers(), topic, clusterId);
    }
}
