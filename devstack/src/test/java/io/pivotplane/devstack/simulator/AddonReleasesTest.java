package io.pivotplane.devstack.simulator;

import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.core.Agent;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.devstack.infra.ChartRepository;
import io.pivotplane.devstack.simulator.AgentCommandsTest.RecordingChannel;
import io.pivotplane.devstack.simulator.cluster.SimulatedCluster;
import io.pivotplane.events.AgentCommand;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.AddonResult;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent installs add-ons as releases in a simulated workload cluster: charts from a chart repository on localhost
 * (CRDs first, rendered by Helm's library, archives checked against the index's digest), manifests, each reported
 * installed only once rolled out; what a new version drops is removed; and what someone deletes or changes in the
 * cluster is put back and reported, with no management plane at all (the agent's channel goes nowhere).
 */
class AddonReleasesTest {

    static final String CLUSTER_ID = "id-releases";

    final SimulatedCluster cluster = new SimulatedCluster();
    final ChartRepository charts = ChartRepository.start(0);
    final RecordingChannel channel = new RecordingChannel();
    @TempDir
    Path chartCache;
    Agent agent;

    @BeforeEach
    void readyClusterAndAgent() {
        cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata()
                .withName(AgentManifests.NAMESPACE).endMetadata().build()).create();
        cluster.internals.registerNode("worker-0", false, Map.of(), Optional.empty());
        cluster.installCalico();
        eventually().until(() -> SimulatedCluster.ready(cluster.node("worker-0")).getStatus().equals("True")
                && SimulatedCluster.taints(cluster.node("worker-0")).isEmpty());
        agent = Agent.start(new AgentConfig(CLUSTER_ID, "releases", "default", "127.0.0.1:1", Duration.ofMinutes(10),
                AgentChannelsTest.keyOf(CLUSTER_ID), AgentChannelsTest.kafkaAccount(CLUSTER_ID),
                Duration.ofMillis(500), chartCache), cluster.client, channel);
    }

    @AfterEach
    void stop() {
        agent.close();
        charts.close();
        cluster.close();
    }

    @Test
    void aChartIsInstalledWithItsCrdsFirstAndReportedOnlyOnceItsDeploymentIsAvailable() {
        channel.observer = report -> cluster.available("widgets", "widgets-controller");
        String commandId = send(widgets("1.0.0", 60));

        AgentReport result = resultOf(commandId);

        assertThat(result.addon().state()).as(result.addon().message()).isEqualTo(AddonResult.State.INSTALLED);
        assertThat(channel.observedAtResult(commandId)).as("the Deployment was available when the result went out")
                .isEqualTo(true);
        assertThat(cluster.client.apiextensions().v1().customResourceDefinitions()
                .withName("widgets.demo.pivotplane.io").get()).isNotNull();
        Deployment controller = cluster.client.apps().deployments().inNamespace("widgets")
                .withName("widgets-controller").get();
        assertThat(controller.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .as("rendered with the chart's values and the add-on's").isEqualTo("ghcr.io/pivotplane/widget-controller:1.0.1");
        assertThat(controller.getMetadata().getLabels()).containsEntry("pivotplane.io/addon", "widgets");

        String widget = send(new Addon("first-widget", "addon", "1", List.of("""
                apiVersion: demo.pivotplane.io/v1
                kind: Widget
                metadata:
                  name: first
                  namespace: widgets
                spec:
                  size: 3
                """)));
        assertThat(resultOf(widget).addon().state()).isEqualTo(AddonResult.State.INSTALLED);
    }

    @Test
    void anArchiveThatDoesNotMatchTheIndexDigestIsRefusedSayingSo() {
        charts.damage("widgets", "1.0.0");

        AgentReport result = resultOf(send(widgets("1.0.0", 60)));

        assertThat(result.addon().state()).isEqualTo(AddonResult.State.FAILED);
        assertThat(result.addon().message()).contains("does not match the repository's digest");
        assertThat(cluster.client.apps().deployments().inNamespace("widgets").withName("widgets-controller").get())
                .isNull();
    }

    @Test
    void aVersionTheRepositoryDoesNotHaveFailsNamingTheVersionsItHas() {
        AgentReport result = resultOf(send(widgets("9.9.9", 60)));

        assertThat(result.addon().state()).isEqualTo(AddonResult.State.FAILED);
        assertThat(result.addon().message()).contains("no version 9.9.9 of chart widgets", "1.0.0");
    }

    @Test
    void aDeploymentThatNeverRollsOutFailsTheAddonAfterItsReadyTimeout() {
        Addon unschedulable = new Addon("gpu-only", "addon", "1", List.of("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: gpu-only
                  namespace: default
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: gpu-only}
                  template:
                    metadata:
                      labels: {app: gpu-only}
                    spec:
                      nodeSelector: {accelerator: nvidia}
                      containers:
                      - name: app
                        image: example/gpu:1
                """), null, 0, List.of(), false, 3);

        AgentReport result = resultOf(send(unschedulable));

        assertThat(result.addon().state()).isEqualTo(AddonResult.State.FAILED);
        assertThat(result.addon().message()).contains("not ready within 3 s", "Deployment gpu-only", "0 of 1 available");
    }

    @Test
    void aNewVersionRemovesWhatItNoLongerHas() {
        String both = """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: kept, namespace: default}
                data: {version: "1"}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: dropped, namespace: default}
                """;
        assertThat(resultOf(send(new Addon("settings", "addon", "1", List.of(both)))).addon().state())
                .isEqualTo(AddonResult.State.INSTALLED);

        assertThat(resultOf(send(new Addon("settings", "addon", "2", List.of("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: kept, namespace: default}
                data: {version: "2"}
                """)))).addon().state()).isEqualTo(AddonResult.State.INSTALLED);

        assertThat(cluster.client.configMaps().inNamespace("default").withName("dropped").get()).isNull();
        assertThat(cluster.client.configMaps().inNamespace("default").withName("kept").get().getData())
                .containsEntry("version", "2");
    }

    @Test
    void aChartUpgradedAndThenUninstalledLeavesItsCrdsAsHelmDoesAndNothingElse() {
        assertThat(resultOf(send(widgets("1.0.0", 60))).addon().state()).isEqualTo(AddonResult.State.INSTALLED);

        AgentReport upgraded = resultOf(send(widgets("1.1.0", 60)));
        assertThat(upgraded.addon().state()).as(upgraded.addon().message()).isEqualTo(AddonResult.State.INSTALLED);
        assertThat(cluster.client.configMaps().inNamespace("widgets").withName("widgets-settings").get()).isNotNull();
        assertThat(cluster.client.apiextensions().v1().customResourceDefinitions().withName("widgets.demo.pivotplane.io")
                .get().getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec")
                .getProperties()).containsKey("color");

        String commandId = UUID.randomUUID().toString();
        channel.deliver(EventEnvelope.create(URI.create("/pivotplane/test"), commandId, new AgentCommand(CLUSTER_ID,
                commandId, AgentCommand.Kind.UNINSTALL_ADDON, widgets("1.1.0", 60), Instant.now())));
        AgentReport removed = resultOf(commandId);

        assertThat(removed.addon().state()).isEqualTo(AddonResult.State.REMOVED);
        assertThat(removed.addon().message()).contains("kept as Helm keeps them: CustomResourceDefinition");
        assertThat(cluster.client.apps().deployments().inNamespace("widgets").withName("widgets-controller").get())
                .isNull();
        assertThat(cluster.client.configMaps().inNamespace("widgets").withName("widgets-settings").get()).isNull();
        assertThat(cluster.client.serviceAccounts().inNamespace("widgets").withName("widgets-controller").get())
                .isNull();
        assertThat(cluster.client.apiextensions().v1().customResourceDefinitions()
                .withName("widgets.demo.pivotplane.io").get()).isNotNull();
        assertThat(cluster.client.secrets().inNamespace(AgentManifests.NAMESPACE).withName("pivotplane-addon-widgets")
                .get()).as("its record").isNull();
        SimulatedCluster.throughout().until(() -> channel.repairs().isEmpty());
    }

    @Test
    void whatIsDeletedOrChangedByHandIsPutBackAndEachRepairReported() {
        assertThat(resultOf(send(widgets("1.0.0", 60))).addon().state()).isEqualTo(AddonResult.State.INSTALLED);

        cluster.client.apps().deployments().inNamespace("widgets").withName("widgets-controller").delete();
        eventually().until(() -> channel.repairs().stream().anyMatch(r -> r.addon().message()
                .contains("Deployment widgets/widgets-controller was deleted")));
        eventually().until(() -> cluster.available("widgets", "widgets-controller"));

        cluster.client.apps().deployments().inNamespace("widgets").withName("widgets-controller")
                .edit(d -> {
                    d.getSpec().setReplicas(0);
                    return d;
                });
        eventually().until(() -> channel.repairs().stream().anyMatch(r -> r.addon().message()
                .contains("widgets/widgets-controller had spec.replicas changed")));
        assertThat(cluster.client.apps().deployments().inNamespace("widgets").withName("widgets-controller").get()
                .getSpec().getReplicas()).isEqualTo(1);
        assertThat(channel.repairs()).allSatisfy(repair -> {
            assertThat(repair.addon().name()).isEqualTo("widgets");
            assertThat(repair.addon().state()).isEqualTo(AddonResult.State.REPAIRED);
        });
    }

    @Test
    void aDeletionIsRepairedWhenTheAgentIsToldByItsWatchNotOnlyOnItsPeriod() {
        agent.close();
        agent = Agent.start(new AgentConfig(CLUSTER_ID, "releases", "default", "127.0.0.1:1", Duration.ofMinutes(10),
                AgentChannelsTest.keyOf(CLUSTER_ID), AgentChannelsTest.kafkaAccount(CLUSTER_ID),
                Duration.ofMinutes(10), chartCache), cluster.client, channel);
        assertThat(resultOf(send(widgets("1.0.0", 60))).addon().state()).isEqualTo(AddonResult.State.INSTALLED);
        SimulatedCluster.throughout().until(() -> channel.repairs().isEmpty());

        cluster.client.serviceAccounts().inNamespace("widgets").withName("widgets-controller").delete();

        // the repair is reported once the object is back: wait for both, with the period ten minutes away
        eventually().until(() -> cluster.client.serviceAccounts().inNamespace("widgets")
                .withName("widgets-controller").get() != null && !channel.repairs().isEmpty());
        assertThat(channel.repairs()).singleElement().satisfies(repair -> assertThat(repair.addon().message())
                .isEqualTo("ServiceAccount widgets/widgets-controller was deleted: created again"));
    }

    @Test
    void whatTheServerOrItsControllersAddIsNotTakenForDrift() {
        assertThat(resultOf(send(widgets("1.0.0", 60))).addon().state()).isEqualTo(AddonResult.State.INSTALLED);
        GenericKubernetesResource before = cluster.client.genericKubernetesResources("apps/v1", "Deployment")
                .inNamespace("widgets").withName("widgets-controller").get();

        SimulatedCluster.throughout().until(() -> channel.repairs().isEmpty());
        assertThat(cluster.client.genericKubernetesResources("apps/v1", "Deployment").inNamespace("widgets")
                .withName("widgets-controller").get().getMetadata().getResourceVersion())
                .isEqualTo(before.getMetadata().getResourceVersion());
    }

    private Addon widgets(String version, int readyTimeoutSeconds) {
        return new Addon("widgets", "addon", version, List.of(),
                new Addon.Chart(charts.url(), "widgets", version, "widgets", "image:\n  tag: \"1.0.1\"\n"),
                0, List.of(), false, readyTimeoutSeconds);
    }

    private String send(Addon addon) {
        String commandId = UUID.randomUUID().toString();
        channel.deliver(EventEnvelope.create(URI.create("/pivotplane/test"), commandId,
                new AgentCommand(CLUSTER_ID, commandId, AgentCommand.Kind.INSTALL_ADDON, addon, Instant.now())));
        return commandId;
    }

    private AgentReport resultOf(String commandId) {
        eventually().atMost(Duration.ofSeconds(60)).until(() -> channel.results().stream()
                .anyMatch(r -> commandId.equals(r.commandId())));
        return channel.results().stream().filter(r -> commandId.equals(r.commandId())).findFirst().orElseThrow();
    }
}
