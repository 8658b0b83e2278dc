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
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.capi.k8s.Rollouts;
import io.pivotplane.pivot.k8s.ClusterKinds;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.k8s.Kubeconfigs;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.testing.TestCredentials;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the tests of pivot-service share: the real broker and PostgreSQL, the management cluster's API, and the strict
 * simulator acting as Cluster API, the providers and the clouds on both sides, on a management cluster that runs only
 * the providers a vSphere cluster uses (core, kubeadm, CAPV).
 */
abstract class PivotTestSupport {


    static final String NAMESPACE = "team-pivot";

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @InjectInfrastructure
    KubernetesApiServer management;

    static InfrastructureSimulator simulator;

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @jakarta.inject.Inject
    Transactions transactions;

    @jakarta.inject.Inject
    ProcessedEvents processed;

    @BeforeEach
    void startSimulator() {
        if (simulator == null) {
            simulator = InfrastructureSimulator.start(management.client(), SimulatorSettings.IMMEDIATE
                    .withManagementProviders(Set.of(Provider.VSPHERE)));
        }
    }

    @AfterAll
    static void stopSimulator() {
        if (simulator != null) {
            simulator.close();
            simulator = null;
        }
    }

    static EventEnvelope<ClusterDeletionRequested> deletionRequested(EventEnvelope<ControlPlaneReady> ready,
                                                                            ClusterSpec spec) {
        return EventEnvelope.create(URI.create("/pivotplane/test"), ready.correlationId(),
                new ClusterDeletionRequested(ready.subject(), spec.name(), spec.project(), Instant.now()));
    }

    /**
     * Creates the cluster's credentials as its operator would, then what spec-service would, lets the simulator bring
     * CP-A up, and returns provisioner's event.
     */
    EventEnvelope<ControlPlaneReady> firstControlPlaneNode(ClusterSpec spec) {
        String clusterId = UUID.randomUUID().toString();
        TestCredentials.create(management.client(), spec);
        for (GenericKubernetesResource object : Renderers.forProvider("vsphere").render(clusterId, spec,
                RenderPhase.MANAGEMENT)) {
            // the providers' admission webhooks answer once cert-manager has issued their certificates
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> management.client().resource(object).create() != null);
        }
        GenericKubernetesResource cluster = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER, spec.name());
        var desired = DesiredSpecConfigMap.render(clusterId, spec);
        desired.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion(cluster.getApiVersion()).withKind(cluster.getKind())
                .withName(cluster.getMetadata().getName()).withUid(cluster.getMetadata().getUid()).build()));
        management.client().resource(desired).create();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            GenericKubernetesResource current = get(management.client(), Capi.CORE_API_VERSION, Capi.CLUSTER,
                    spec.name());
            return ObjectMaps.conditionTrue(current, Capi.CONDITION_CONTROL_PLANE_INITIALIZED)
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
    static Set<String> clusterObjects(KubernetesClient client, String cluster) {
        return objects(client).stream()
                .filter(o -> (o.getMetadata().getLabels() != null
                        && cluster.equals(o.getMetadata().getLabels().get(Capi.CLUSTER_NAME_LABEL)))
                        || o.getMetadata().getName().startsWith(cluster + "-"))
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .collect(Collectors.toSet());
    }

    static Set<String> uids(KubernetesClient client, String cluster) {
        return objects(client).stream().filter(o -> o.getMetadata().getName().startsWith(cluster))
                .map(o -> o.getMetadata().getUid()).collect(Collectors.toSet());
    }

    /** Every object of the namespace of the kinds the cluster's providers serve, its Secrets and ConfigMaps. */
    static List<HasMetadata> objects(KubernetesClient client) {
        List<HasMetadata> objects = new ArrayList<>();
        ClusterKinds kinds = ClusterKinds.of(client);
        for (var crd : kinds.definitions()) {
            if ("Namespaced".equals(crd.getSpec().getScope())) {
                var version = crd.getSpec().getVersions().stream().filter(v -> v.getStorage()).findFirst().orElseThrow();
                objects.addAll(kinds.resources(crd.getSpec().getGroup() + "/" + version.getName(),
                        crd.getSpec().getNames().getKind()).inNamespace(NAMESPACE).list().getItems());
            }
        }
        objects.addAll(client.secrets().inNamespace(NAMESPACE).list().getItems());
        objects.addAll(client.configMaps().inNamespace(NAMESPACE).list().getItems());
        return objects;
    }

    /** The providers of clusterctl's inventory in the cluster, as "type name version". */
    static List<String> providers(KubernetesClient client) {
        return io.pivotplane.pivot.k8s.ProviderInventory.read(client).stream()
                .map(p -> p.type() + " " + p.name() + " " + p.version()).toList();
    }

    static GenericKubernetesResource inventory(String name, String type, String version, String namespace) {
        GenericKubernetesResource provider = new GenericKubernetesResourceBuilder()
                .withApiVersion("clusterctl.cluster.x-k8s.io/v1alpha3").withKind("Provider")
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build();
        provider.setAdditionalProperty("providerName", name);
        provider.setAdditionalProperty("type", type);
        provider.setAdditionalProperty("version", version);
        return provider;
    }

    static HasMetadata daemonSet(String namespace, String name) {
        return new io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().build();
    }

    static HasMetadata deployment(String namespace, String name) {
        return new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().build();
    }

    static void assertEveryOwnerReferenceResolves(KubernetesClient client) {
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

    static GenericKubernetesResource get(KubernetesClient client, String apiVersion, String kind, String name) {
        return client.genericKubernetesResources(apiVersion, kind).inNamespace(NAMESPACE).withName(name).get();
    }

    List<ClusterEvent> events(String topic, String clusterId) {
        return TopicReader.payloads(kafka.bootstrapServers(), topic, clusterId);
    }

    /** Until the cluster's agent reported it scaled to its desired size. */
    void awaitScaled(String clusterId, Duration atMost) {
        await().atMost(atMost).until(() -> events(Topics.AGENT_REPORTS, clusterId).stream()
                .anyMatch(report -> ((AgentReport) report).kind() == AgentReport.Kind.SCALED));
    }

    <T> T awaitOne(String topic, String clusterId, Class<T> type) {
        return awaitOne(topic, clusterId, type, Duration.ofSeconds(60));
    }

    <T> T awaitOne(String topic, String clusterId, Class<T> type, Duration atMost) {
        await().atMost(atMost).until(() -> !events(topic, clusterId).isEmpty());
        return type.cast(events(topic, clusterId).get(0));
    }
}
