package io.pivotplane.devstack.simulator;

import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.eventually;
import static io.pivotplane.devstack.simulator.cluster.SimulatedCluster.throughout;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.devstack.simulator.cluster.SimulatedCluster;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.EventEnvelope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AgentRunnerTest {

    static final Set<String> AGENT_KINDS = Set.of("clusters.cluster.x-k8s.io",
            "kubeadmcontrolplanes.controlplane.cluster.x-k8s.io", "machinedeployments.cluster.x-k8s.io");

    final SimulatedCluster cluster = new SimulatedCluster();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    AgentRunner runner;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path podsTmp;

    @BeforeEach
    void start() {
        // the kinds the agent watches, as the pivot leaves them in its cluster
        CapiCrds.all().stream().filter(crd -> AGENT_KINDS.contains(crd.getMetadata().getName()))
                .forEach(crd -> cluster.client.apiextensions().v1().customResourceDefinitions().resource(crd)
                        .create());
        runner = new AgentRunner(cluster.api, config -> new CountingChannel(), podsTmp).start();
    }

    @AfterEach
    void stop() {
        runner.close();
        cluster.close();
    }

    @Test
    void anAgentWithoutTheTolerationsOfAControlPlaneOnlyClusterNeverRuns() {
        cluster.internals.registerNode("cp-0", true, Map.of(), Optional.empty());
        cluster.installCalico();

        install(withoutTolerations(AgentManifests.render(config(), AgentManifests.DEFAULT_IMAGE,
                AgentManifests.Network.POD)));

        throughout().until(() -> runner.running() == 0 && opened.get() == 0);
        cluster.internals.registerNode("worker-0", false, Map.of(), Optional.empty());
        eventually().until(() -> runner.running() == 1);
    }

    @Test
    void theAgentAsPivotServiceInstallsItRunsOnTheFirstControlPlaneNodeBeforeAnyNetworkPlugin() {
        cluster.internals.registerNode("cp-0", true, Map.of("kubeletExtraArgs", Map.of("cloud-provider", "external")),
                Optional.empty());

        install(AgentManifests.render(config(), AgentManifests.DEFAULT_IMAGE, AgentManifests.Network.HOST));

        eventually().until(() -> runner.running() == 1 && opened.get() == 1);
    }

    @Test
    void anAgentRunsWhileItsDeploymentIsAvailableRestartsWithANewTemplateAndStopsWhenItGoes() {
        cluster.internals.registerNode("worker-0", false, Map.of(), Optional.empty());
        install(AgentManifests.render(config(), AgentManifests.DEFAULT_IMAGE, AgentManifests.Network.POD));
        throughout().until(() -> runner.running() == 0);

        cluster.installCalico();
        eventually().until(() -> runner.running() == 1 && opened.get() == 1);

        var deployment = cluster.client.apps().deployments().inNamespace(AgentManifests.NAMESPACE)
                .withName(AgentManifests.NAME);
        deployment.edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("ghcr.io/pivotplane/agent:0.2.0");
            return d;
        });
        eventually().until(() -> opened.get() == 2 && closed.get() == 1 && runner.running() == 1);

        deployment.edit(d -> {
            d.getSpec().getTemplate().getSpec().setTolerations(List.of(new TolerationBuilder().withKey("only")
                    .withOperator("Exists").build()));
            d.getSpec().getTemplate().getSpec().setNodeSelector(Map.of("pool", "nowhere"));
            return d;
        });
        eventually().until(() -> runner.running() == 0 && closed.get() == 2);
        deployment.delete();
        throughout().until(() -> runner.running() == 0 && opened.get() == 2);
    }

    /** The agent's manifests as an older pivotplane rendered them: no tolerations. */
    private static List<HasMetadata> withoutTolerations(List<HasMetadata> manifests) {
        manifests.stream().filter(io.fabric8.kubernetes.api.model.apps.Deployment.class::isInstance)
                .map(io.fabric8.kubernetes.api.model.apps.Deployment.class::cast)
                .forEach(deployment -> deployment.getSpec().getTemplate().getSpec().setTolerations(List.of()));
        return manifests;
    }

    private void install(List<HasMetadata> manifests) {
        manifests.forEach(object -> cluster.client.resource(object).create());
    }

    private static AgentConfig config() {
        return new AgentConfig("id-1", "edge", "default", "127.0.0.1:1", Duration.ofMinutes(10),
                AgentChannelsTest.keyOf("id-for-a-test"),
                AgentChannelsTest.kafkaAccount("id-for-a-test"));
    }

    /** A channel that counts its opening and closing, and hears nothing. */
    private final class CountingChannel implements AgentChannel {

        CountingChannel() {
            opened.incrementAndGet();
        }

        @Override
        public void receive(Consumer<EventEnvelope<?>> handler) {
        }

        @Override
        public void send(EventEnvelope<AgentReport> report) {
        }

        @Override
        public boolean isReceiving() {
            return true;
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }
}
