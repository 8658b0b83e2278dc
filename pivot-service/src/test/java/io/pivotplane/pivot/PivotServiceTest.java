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
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.bootstrap.CloudControllerManagers;
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.capi.k8s.Rollouts;
import io.pivotplane.capi.request.Provider;
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
import io.pivotplane.events.access.PlaneAccess;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.SecretReference;
import io.pivotplane.kit.messaging.ProcessedEvents;
import io.pivotplane.kit.persistence.Transactions;
import io.pivotplane.pivot.k8s.ClusterKinds;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pivot-service against a real broker and PostgreSQL, the strict simulator acting as Cluster API, the providers and
 * the clouds on both sides. The management cluster runs only the providers a vSphere cluster uses (core, kubeadm,
 * CAPV): a management cluster that serves one infrastructure pivots and deletes its clusters as one that serves five.
 */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class,
        initArgs = {@ResourceArg(name = KafkaAndPostgresResource.DATABASE_ARG, value = "pivot"),
                @ResourceArg(name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "pivot-service")})
@WithTestResource(KubernetesApiResource.class)
class PivotServiceTest extends PivotTestSupport {

    @Test
    void preparesTheWorkloadClusterToRunItselfThenMovesEveryObjectWithOwnersRewrittenAndTheClusterScalesItself() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "moving", 3, 2, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        Set<String> before = clusterObjects(management.client(), "moving");
        assertThat(management.client().apiextensions().v1().customResourceDefinitions()
                .withName("awsclusters.infrastructure.cluster.x-k8s.io").get()).as("AWS in the management cluster")
                .isNull();

        TopicWriter.send(kafka.bootstrapServers(), ready);

        Pivoted pivoted = awaitOne(Topics.CLUSTER_PIVOTED, ready.subject(), Pivoted.class, Duration.ofMinutes(3));
        KubernetesClient workload = simulator.workloadClient(ready.payload().apiEndpoint()).orElseThrow();
        assertThat(clusterObjects(management.client(), "moving")).isEmpty();
        // the kubeadm bootstrap provider's init lock comes and goes (it removes it once kubeadm init is done)
        String lock = "ConfigMap/moving-lock";
        Set<String> moved = pivoted.movedObjects().stream().map(o -> o.kind() + "/" + o.name())
                .filter(o -> !o.equals(lock)).collect(Collectors.toSet());
        assertThat(clusterObjects(workload, "moving")).containsAll(moved);
        assertThat(moved).containsAll(before.stream().filter(o -> !o.equals(lock)).toList());
        assertThat(moved).contains("Secret/" + spec.infrastructure().credentialsRef(), "VSphereMachineTemplate/moving",
                "ConfigMap/moving-pivotplane-spec");
        assertEveryOwnerReferenceResolves(workload);
        assertThat(ObjectMaps.isTrue(get(workload, Capi.CORE_API_VERSION, Capi.CLUSTER, "moving"), "spec", "paused"))
                .isFalse();
        // what clusterctl init installs, running in the workload cluster at the management cluster's versions
        assertThat(providers(workload)).containsExactlyInAnyOrder("CoreProvider cluster-api v1.9.11",
                "BootstrapProvider kubeadm v1.9.11", "ControlPlaneProvider kubeadm v1.9.11",
                "InfrastructureProvider vsphere v1.12.0");
        // the bootstrap layer: the profile's network plugin and vSphere's cloud-controller-manager, rolled out
        assertThat(Rollouts.pending(workload, List.of(daemonSet("kube-flannel", "kube-flannel-ds")))).isEmpty();
        assertThat(CloudControllerManagers.forCluster(spec).orElseThrow().workloads()).isNotEmpty()
                .allSatisfy(ccm -> assertThat(Rollouts.pending(workload, List.of(daemonSet(ccm.name().namespace(),
                        ccm.name().name())))).isEmpty());
        // the credentials CAPV and the cloud-controller-manager need, in the workload cluster and in no event
        assertThat(workload.secrets().inNamespace(NAMESPACE).withName(spec.infrastructure().credentialsRef()).get()).isNotNull();
        assertThat(workload.secrets().inNamespace("kube-system").withName("cloud-provider-vsphere-credentials").get())
                .isNotNull();
        assertThat(TopicReader.payloads(kafka.bootstrapServers(), Topics.CLUSTER_PIVOTED, ready.subject()).toString())
                .doesNotContain("simulated-password-not-real");
        assertThat(Rollouts.pending(workload, List.of(deployment(AgentManifests.NAMESPACE, AgentManifests.NAME))))
                .isEmpty();

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(ObjectMaps.integer(get(workload, Capi.CONTROL_PLANE_API_VERSION, Capi.KUBEADM_CONTROL_PLANE,
                    "moving"), 0, "status", "readyReplicas")).isEqualTo(3);
            assertThat(ObjectMaps.integer(get(workload, Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT, "moving-md-0"),
                    0, "status", "readyReplicas")).isEqualTo(2);
        });
        awaitScaled(ready.subject(), Duration.ofSeconds(30));
        assertThat(workload.nodes().list().getItems()).hasSize(5).allSatisfy(node -> {
            assertThat(node.getSpec().getProviderID()).startsWith("vsphere://");
            assertThat(node.getStatus().getConditions()).anySatisfy(condition -> {
                assertThat(condition.getType()).isEqualTo("Ready");
                assertThat(condition.getStatus()).isEqualTo("True");
            });
        });
        assertThat(clusterObjects(management.client(), "moving")).isEmpty();
        assertThat(List.of("agent_installed", "bootstrap_ready", "provisioned", "providers_ready", "paused",
                "collected", "created", "deleted", "unpaused")).allSatisfy(step -> assertThat(
                registry.find("pivotplane.pivot.step").tag("step", step).timer()).as(step).isNotNull());
    }

    @Test
    void theSameReadinessTwiceMovesOnceAndPublishesOnce() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "twice", 1, 0, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        TopicWriter.send(kafka.bootstrapServers(), ready);
        awaitOne(Topics.CLUSTER_PIVOTED, ready.subject(), Pivoted.class, Duration.ofMinutes(3));
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
        TestCredentials.secret(workload, NAMESPACE, "blocked-ca", java.util.Map.of("tls.crt", "someone else's"));

        TopicWriter.send(kafka.bootstrapServers(), ready);

        ProvisioningFailed failed = awaitOne(Topics.CLUSTER_FAILED, ready.subject(), ProvisioningFailed.class,
                Duration.ofMinutes(3));
        assertThat(failed.stage()).isEqualTo(Stage.PIVOTED);
        assertThat(failed.reason()).isEqualTo("PivotRolledBack");
        assertThat(failed.message()).contains("Secret " + NAMESPACE + "/blocked-ca", "rolled back");
        GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER, "blocked");
        assertThat(ObjectMaps.isTrue(cluster, "spec", "paused")).isFalse();
        assertThat(get(workload, Capi.CORE_API_VERSION, Capi.CLUSTER, "blocked")).isNull();
        assertThat(events(Topics.CLUSTER_PIVOTED, ready.subject())).isEmpty();
    }

    @Test
    void aTargetRunningAnOlderCoreProviderIsRefusedBeforeAnythingMoves() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "skewed", 1, 0, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        KubernetesClient workload = simulator.workloadClient(ready.payload().apiEndpoint()).orElseThrow();
        // someone ran an older clusterctl init there before pivotplane came
        ProviderComponents.inventoryCustomResourceDefinition().forEach(crd -> workload.resource(crd).create());
        TestCredentials.namespace(workload, "capi-system");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> workload.resource(inventory(
                "cluster-api", "CoreProvider", "v1.8.0", "capi-system")).create() != null);

        TopicWriter.send(kafka.bootstrapServers(), ready);

        ProvisioningFailed failed = awaitOne(Topics.CLUSTER_FAILED, ready.subject(), ProvisioningFailed.class,
                Duration.ofMinutes(3));
        assertThat(failed.reason()).isEqualTo("PivotPreflightFailed");
        assertThat(failed.message()).contains("provider cluster-api in the target cluster is older than in the source"
                + " cluster (source: v1.9.11, target: v1.8.0)", "nothing was moved");
        GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER, "skewed");
        assertThat(ObjectMaps.isTrue(cluster, "spec", "paused")).isFalse();
        assertThat(clusterObjects(management.client(), "skewed")).isNotEmpty();
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
    void aPivotedClusterIsMovedBackAndTornDownFromTheManagementClusterWorkersFirst() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "returning", 1, 2, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        TopicWriter.send(kafka.bootstrapServers(), ready);
        awaitOne(Topics.CLUSTER_PIVOTED, ready.subject(), Pivoted.class, Duration.ofMinutes(3));
        awaitScaled(ready.subject(), Duration.ofSeconds(90));
        assertThat(management.client().secrets().inNamespace(NAMESPACE)
                .withName("pivotplane-workload-" + ready.subject()).get()).as("pivot-service's way back").isNotNull();
        String principal = PlaneAccess.agentPrincipal(ready.subject());
        assertThat(kafkaPrincipals()).as("the agent signs in as itself").contains(principal);
        assertThat(kafkaTopics()).contains(Topics.agentCommands(ready.subject()));

        TopicWriter.send(kafka.bootstrapServers(), deletionRequested(ready, spec));

        ClusterDeleted deleted = awaitOne(Topics.CLUSTER_DELETED, ready.subject(), ClusterDeleted.class,
                Duration.ofMinutes(3));
        assertThat(deleted.location()).isEqualTo(ClusterDeleted.MANAGEMENT);
        assertThat(deleted.deletedObjects()).extracting(o -> o.kind())
                .containsSubsequence(Capi.MACHINE_DEPLOYMENT, Capi.KUBEADM_CONTROL_PLANE, Capi.CLUSTER);
        assertThat(clusterObjects(management.client(), "returning")).isEmpty();
        assertThat(management.client().secrets().inNamespace(NAMESPACE)
                .withName("pivotplane-workload-" + ready.subject()).get()).isNull();
        // its last control-plane machine took the workload cluster's API server with it
        await().atMost(Duration.ofSeconds(30)).until(() -> simulator.workloadClient(ready.payload().apiEndpoint())
                .isEmpty());
        // nobody signs in as its agent any more, and its commands' topic is gone
        assertThat(kafkaPrincipals()).doesNotContain(principal);
        assertThat(kafkaTopics()).doesNotContain(Topics.agentCommands(ready.subject()));
    }

    @Test
    void aPivotedClusterWhoseSiteIsLostIsNotMovedBackAndIsGivenUpOnceAnAdminForcesItsDeletion() {
        ClusterSpec spec = TestClusters.vsphere(NAMESPACE, "lost", 1, 0, List.of());
        EventEnvelope<ControlPlaneReady> ready = firstControlPlaneNode(spec);
        TopicWriter.send(kafka.bootstrapServers(), ready);
        awaitOne(Topics.CLUSTER_PIVOTED, ready.subject(), Pivoted.class, Duration.ofMinutes(3));
        awaitScaled(ready.subject(), Duration.ofSeconds(90));
        String principal = PlaneAccess.agentPrincipal(ready.subject());

        simulator.loseCluster(ready.payload().apiEndpoint());
        TopicWriter.send(kafka.bootstrapServers(), deletionRequested(ready, spec));
        ProvisioningFailed failed = awaitOne(Topics.CLUSTER_FAILED, ready.subject(), ProvisioningFailed.class,
                Duration.ofMinutes(2));
        assertThat(failed.stage()).isEqualTo(Stage.DELETING);
        assertThat(failed.message()).contains("could not be moved back into the management cluster");
        assertThat(events(Topics.CLUSTER_DELETED, ready.subject())).isEmpty();
        assertThat(kafkaPrincipals()).as("an unforced deletion that failed gives nothing up").contains(principal);

        var request = deletionRequested(ready, spec).payload();
        TopicWriter.send(kafka.bootstrapServers(), EventEnvelope.create(java.net.URI.create("/pivotplane/test"),
                ready.correlationId(), new ClusterDeletionRequested(request.clusterId(), request.name(),
                        request.namespace(), Instant.now(), true)));

        ClusterDeleted deleted = awaitOne(Topics.CLUSTER_DELETED, ready.subject(), ClusterDeleted.class,
                Duration.ofMinutes(1));
        assertThat(deleted.location()).isEqualTo(ClusterDeleted.FORCED);
        assertThat(clusterObjects(management.client(), "lost")).isEmpty();
        assertThat(management.client().secrets().inNamespace(NAMESPACE)
                .withName("pivotplane-workload-" + ready.subject()).get()).isNull();
        assertThat(kafkaPrincipals()).doesNotContain(principal);
        assertThat(kafkaTopics()).doesNotContain(Topics.agentCommands(ready.subject()));
    }

    private Set<String> kafkaPrincipals() {
        try (Admin admin = Admin.create(EmbeddedKafkaBroker.adminConfig(kafka.bootstrapServers()))) {
            return Set.copyOf(admin.describeUserScramCredentials().users().get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Set<String> kafkaTopics() {
        try (Admin admin = Admin.create(EmbeddedKafkaBroker.adminConfig(kafka.bootstrapServers()))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
