package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.ClusterAddons;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.HealthCheck;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MachineHealthChecks a cluster is rendered with, as CAPI runs them: a worker whose Node stops answering is
 * replaced by its MachineSet after the request's time, and none is while more of the pool than {@code maxUnhealthy}
 * is down.
 */
class MachineHealthCheckTest {

    static final String NAMESPACE = "healing";

    ManagementCluster management;

    @BeforeEach
    void start() {
        management = new ManagementCluster(SimulatorSettings.IMMEDIATE.withManagementProviders(Set.of(Provider.VSPHERE)));
    }

    @AfterEach
    void stop() {
        management.close();
    }

    @Test
    void aWorkerWhoseNodeStopsAnsweringIsReplacedByItsMachineSetOnceUnhealthyForTheRequestsTime() {
        KubernetesClient workload = runningCluster("heals", "1");
        GenericKubernetesResource failing = workers("heals").get(0);
        String node = ObjectMaps.string(failing, "status", "nodeRef", "name").orElseThrow();

        management.simulator.failNode(management.workloadUrl(NAMESPACE, "heals"), node);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<GenericKubernetesResource> workers = workers("heals");
            assertThat(workers).extracting(m -> m.getMetadata().getName())
                    .hasSize(2).doesNotContain(failing.getMetadata().getName());
            assertThat(workers).allSatisfy(m -> assertThat(ObjectMaps.string(m, "status", "phase"))
                    .hasValue("Running"));
            assertThat(workload.nodes().withName(node).get()).as("the failed machine's Node").isNull();
            GenericKubernetesResource check = management.get(Kind.MACHINE_HEALTH_CHECK, NAMESPACE, "heals-md-0-unhealthy");
            assertThat(ObjectMaps.integer(check, -1, "status", "expectedMachines")).isEqualTo(2);
            assertThat(ObjectMaps.integer(check, -1, "status", "currentHealthy")).isEqualTo(2);
        });
    }

    @Test
    void noWorkerIsReplacedWhileMoreOfThePoolThanMaxUnhealthyIsDown() {
        // Cluster API counts a machine unhealthy only once its condition is bad for longer than unhealthyAfter: two
        // Nodes that stop a status update apart time out apart, and under maxUnhealthy 1 the first would be replaced
        // before the second counts (upstream does the same). 0 makes the outcome not hang on that tick.
        runningCluster("outage", "0");
        List<GenericKubernetesResource> before = workers("outage");
        String url = management.workloadUrl(NAMESPACE, "outage");
        for (GenericKubernetesResource machine : before) {
            management.simulator.failNode(url, ObjectMaps.string(machine, "status", "nodeRef", "name").orElseThrow());
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            GenericKubernetesResource check = management.get(Kind.MACHINE_HEALTH_CHECK, NAMESPACE,
                    "outage-md-0-unhealthy");
            assertThat(ObjectMaps.integer(check, -1, "status", "currentHealthy")).isZero();
            assertThat(Conditions.of(check).get("RemediationAllowed")).hasValueSatisfying(condition -> {
                assertThat(condition.get("status")).isEqualTo("False");
                assertThat(condition.get("reason")).isEqualTo("TooManyUnhealthy");
            });
        });
        assertThat(workers("outage")).extracting(m -> m.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(before.stream().map(m -> m.getMetadata().getName()).toList())
                .as("none asked to be replaced")
                .allSatisfy(name -> assertThat(Conditions.of(management.get(Kind.MACHINE, NAMESPACE, name))
                        .get(Capi.CONDITION_OWNER_REMEDIATED)).isEmpty());
    }

    /** A cluster of one control-plane machine and two workers, all Running on Ready Nodes. */
    private KubernetesClient runningCluster(String name, String maxUnhealthy) {
        ClusterSpec plain = TestClusters.vsphere(NAMESPACE, name, 1, 2, List.of());
        ClusterSpec spec = new ClusterSpec(plain.name(), plain.project(), plain.infrastructure(),
                plain.kubernetesVersion(), plain.controlPlane(), plain.workerPools(), plain.sshAuthorizedKeys(),
                plain.profile(), new HealthCheck("2s", "10m", maxUnhealthy));
        management.create(spec, RenderPhase.FULL);
        KubernetesClient workload = management.awaitWorkload(NAMESPACE, name);
        ClusterAddons.install(management.client(), workload, spec);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(management.api.list(Kind.MACHINE, NAMESPACE, Map.of(Capi.CLUSTER_NAME_LABEL, name)))
                    .hasSize(3).allSatisfy(m -> assertThat(ObjectMaps.string(m, "status", "phase")).hasValue("Running"));
            assertThat(workload.nodes().list().getItems()).hasSize(3).allSatisfy(node -> assertThat(
                    node.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready")
                    && c.getStatus().equals("True")));
        });
        return workload;
    }

    private List<GenericKubernetesResource> workers(String cluster) {
        return management.api.list(Kind.MACHINE, NAMESPACE, Map.of(Capi.CLUSTER_NAME_LABEL, cluster,
                Capi.DEPLOYMENT_NAME_LABEL, cluster + "-md-0")).stream().filter(m -> !Api.deleting(m)).toList();
    }
}
