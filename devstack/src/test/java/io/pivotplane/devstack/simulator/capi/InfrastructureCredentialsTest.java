package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.simulator.ManagementCredentials;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each infrastructure provider reaches its cloud only with the credentials its own code looks for, in the cluster
 * where it runs: without them the infrastructure cluster stays not ready, with what the provider records of it, and no
 * Machine is made; once they exist, it proceeds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InfrastructureCredentialsTest {

    ManagementCluster management;

    @BeforeAll
    void start() {
        management = new ManagementCluster(SimulatorSettings.IMMEDIATE);
    }

    @AfterAll
    void stop() {
        management.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "azure", "gcp", "vsphere"})
    void withoutTheClustersCredentialsTheInfrastructureStaysNotReadyAndNoMachineIsMadeUntilTheyExist(String provider) {
        String namespace = "creds-" + provider;
        ClusterSpec spec = TestClusters.of(provider, namespace, "c-" + provider, 1, 0, List.of());
        management.render(spec, RenderPhase.MANAGEMENT);

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            GenericKubernetesResource cluster = management.get(Kind.CLUSTER, namespace, spec.name());
            assertThat(Conditions.of(cluster).get(Capi.CONDITION_INFRASTRUCTURE_READY)).hasValueSatisfying(c -> {
                assertThat(c.get("status")).isEqualTo("False");
                assertThat(c.get("reason")).isNotNull();
            });
            assertThat(ObjectMaps.isTrue(cluster, "status", "infrastructureReady")).isFalse();
            assertThat(management.list(Kind.MACHINE, namespace)).isEmpty();
        });
        GenericKubernetesResource infrastructure = management.get(infrastructureKind(provider), namespace, spec.name());
        switch (provider) {
            case "vsphere" -> {
                // CAPV records the failed vCenter login, and the Cluster mirrors it
                assertThat(Conditions.of(infrastructure).get(VSphereClusterController.VCENTER_AVAILABLE))
                        .hasValueSatisfying(c -> {
                            assertThat(c.get("reason")).isEqualTo("VCenterUnreachable");
                            assertThat(c.get("message")).asString().contains(spec.infrastructure().credentialsRef());
                        });
                assertThat(Conditions.of(management.get(Kind.CLUSTER, namespace, spec.name()))
                        .get(Capi.CONDITION_INFRASTRUCTURE_READY).orElseThrow().get("reason"))
                        .isEqualTo("VCenterUnreachable");
            }
            case "azure" -> {
                // CAPZ fails before its scope exists: an event is all it records
                assertThat(events(namespace)).anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("CreateClusterScopeFailed");
                    assertThat(e.getMessage()).contains("azure-sp");
                });
                assertThat(ObjectMaps.at(infrastructure, "status")).isEmpty();
            }
            default -> {
                // CAPA and CAPG fail before they have a patch helper: nothing is recorded, not even the finalizer
                assertThat(infrastructure.getMetadata().getFinalizers()).isNullOrEmpty();
                assertThat(ObjectMaps.at(infrastructure, "status")).isEmpty();
                assertThat(Conditions.of(management.get(Kind.CLUSTER, namespace, spec.name()))
                        .get(Capi.CONDITION_INFRASTRUCTURE_READY).orElseThrow().get("reason"))
                        .isEqualTo("WaitingForInfrastructure");
            }
        }

        TestCredentials.create(management.client(), spec);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ObjectMaps.isTrue(management.get(infrastructureKind(provider), namespace, spec.name()),
                    "status", "ready")).isTrue();
            assertThat(management.list(Kind.MACHINE, namespace)).hasSize(1);
            assertThat(management.list(machineKind(provider), namespace)).singleElement().satisfies(machine ->
                    assertThat(ObjectMaps.string(machine, "spec", "providerID")).isPresent());
        });
    }

    @Test
    void maasRunsWithTheCredentialsClusterctlInitGaveItsController() {
        ClusterSpec spec = TestClusters.of("maas", "creds-maas", "c-maas", 1, 0, List.of());
        management.create(spec, RenderPhase.MANAGEMENT);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ObjectMaps.isTrue(management.get(Kind.MAAS_CLUSTER, "creds-maas", "c-maas"), "status", "ready"))
                    .isTrue();
            assertThat(management.list(Kind.MAAS_MACHINE, "creds-maas")).singleElement().satisfies(machine ->
                    assertThat(ObjectMaps.string(machine, "spec", "providerID")).get().asString()
                            .startsWith("maas:///"));
        });
    }

    @Test
    void maasWithoutTheControllersCredentialsStaysNotReady() {
        SimulatorSettings noCredentials = SimulatorSettings.IMMEDIATE.withManagementProviders(Set.of(Provider.MAAS))
                .withManagementCredentials(ManagementCredentials.NONE);
        try (ManagementCluster bare = new ManagementCluster(noCredentials)) {
            ClusterSpec spec = TestClusters.of("maas", "creds-none", "no-maas", 1, 0, List.of());
            bare.create(spec, RenderPhase.MANAGEMENT);

            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                GenericKubernetesResource maasCluster = bare.get(Kind.MAAS_CLUSTER, "creds-none", "no-maas");
                // CAPMAAS adds its finalizer first, then panics without MAAS_ENDPOINT
                assertThat(maasCluster.getMetadata().getFinalizers()).containsExactly(MaasClusterController.FINALIZER);
                assertThat(ObjectMaps.isTrue(maasCluster, "status", "ready")).isFalse();
                assertThat(bare.list(Kind.MACHINE, "creds-none")).isEmpty();
            });
        }
    }

    @Test
    void capvOwnsTheIdentitySecretItUsesAndRefusesOneAnotherClusterOwns() {
        String namespace = "shared-secret";
        ClusterSpec first = TestClusters.vsphere(namespace, "first", 1, 0, List.of());
        management.create(first, RenderPhase.MANAGEMENT);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            GenericKubernetesResource vsphereCluster = management.get(Kind.VSPHERE_CLUSTER, namespace, "first");
            assertThat(ObjectMaps.isTrue(vsphereCluster, "status", "ready")).isTrue();
            Secret secret = management.api.secret(namespace, first.infrastructure().credentialsRef());
            assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
                assertThat(owner.getKind()).isEqualTo("VSphereCluster");
                assertThat(owner.getUid()).isEqualTo(vsphereCluster.getMetadata().getUid());
            });
            assertThat(secret.getMetadata().getFinalizers()).contains(VSphereClusterController.SECRET_FINALIZER);
        });

        // a second cluster of the same namespace names the same Secret
        ClusterSpec other = TestClusters.vsphere(namespace, "second", 1, 0, List.of());
        ClusterSpec second = new ClusterSpec(other.name(), other.project(), first.infrastructure(),
                other.kubernetesVersion(), other.controlPlane(), other.workerPools(), other.sshAuthorizedKeys(),
                other.profile());
        management.render(second, RenderPhase.MANAGEMENT);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Conditions.of(
                management.get(Kind.VSPHERE_CLUSTER, namespace, "second")).get(VSphereClusterController.VCENTER_AVAILABLE))
                .hasValueSatisfying(c -> {
                    assertThat(c.get("status")).isEqualTo("False");
                    assertThat(c.get("message")).isEqualTo(
                            "another cluster has set the OwnerRef for Secret " + namespace + "/"
                                    + first.infrastructure().credentialsRef());
                }));
        assertThat(management.list(Kind.MACHINE, namespace)).allSatisfy(machine ->
                assertThat(Clusters.clusterName(machine)).isEqualTo("first"));
    }

    private List<Event> events(String namespace) {
        return management.client().v1().events().inNamespace(namespace).list().getItems();
    }

    private static Kind infrastructureKind(String provider) {
        return Objects.requireNonNull(Map.of("aws", Kind.AWS_CLUSTER, "azure", Kind.AZURE_CLUSTER, "gcp", Kind.GCP_CLUSTER,
                "vsphere", Kind.VSPHERE_CLUSTER, "maas", Kind.MAAS_CLUSTER).get(provider));
    }

    private static Kind machineKind(String provider) {
        return Objects.requireNonNull(Map.of("aws", Kind.AWS_MACHINE, "azure", Kind.AZURE_MACHINE, "gcp", Kind.GCP_MACHINE,
                "vsphere", Kind.VSPHERE_MACHINE, "maas", Kind.MAAS_MACHINE).get(provider));
    }
}
