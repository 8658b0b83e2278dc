package io.pivotplane.devstack.simulator.capi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.simulator.KubectlEdit;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.testing.ClusterAddons;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.events.model.ClusterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rollouts as CAPI v1.9 runs them: a MachineDeployment whose machine template changes gets a new MachineSet and moves
 * its replicas there within maxSurge and maxUnavailable, a scale does not roll, a KubeadmControlPlane whose version
 * changes replaces its machines one at a time, the new one first; the machines' Nodes report the new version.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MachineRolloutTest {

    static final String OLD = "v1.30.5";
    static final String NEW = "v1.31.4";

    ManagementCluster management;

    @BeforeAll
    void start() {
        management = new ManagementCluster(SimulatorSettings.IMMEDIATE.withManagementProviders(Set.of(Provider.VSPHERE)));
    }

    @AfterAll
    void stop() {
        management.close();
    }

    @Test
    void aMachineDeploymentWhoseVersionChangesSurgesIntoANewMachineSetWithoutLosingAvailability() {
        String namespace = "md-roll";
        KubernetesClient workload = runningCluster(namespace, "roll", 3);
        GenericKubernetesResource oldSet = management.list(Kind.MACHINE_SET, namespace).get(0);

        editDeployment(namespace, "roll-md-0", md -> {
            ObjectMaps.mapAt(md, "spec", "template", "spec").put("version", NEW);
            return md;
        });

        // the webhook's defaults: maxSurge 1, maxUnavailable 0
        await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(120)).until(() -> {
            assertThat(workers(namespace, "roll")).as("machines, deleting ones too").hasSizeLessThanOrEqualTo(4);
            assertThat(readyWorkerNodes(workload)).as("Ready worker Nodes").isGreaterThanOrEqualTo(3);
            return rolledOut(namespace, "roll", workload, 3);
        });
        List<GenericKubernetesResource> sets = management.list(Kind.MACHINE_SET, namespace);
        GenericKubernetesResource newSet = sets.stream()
                .filter(s -> !s.getMetadata().getName().equals(oldSet.getMetadata().getName())).findFirst().orElseThrow();
        assertThat(Api.labels(newSet).get(MachineDeploymentController.TEMPLATE_HASH_LABEL)).matches("\\d+-\\w{5}");
        assertThat(Api.annotations(newSet)).containsEntry(MachineDeploymentController.REVISION_ANNOTATION, "2");
        assertThat(Api.annotations(management.get(Kind.MACHINE_DEPLOYMENT, namespace, "roll-md-0")))
                .containsEntry(MachineDeploymentController.REVISION_ANNOTATION, "2");

        // v1.9 keeps one old MachineSet (revisionHistoryLimit defaults to 1), scaled to 0
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(management.get(Kind.MACHINE_SET, namespace, oldSet.getMetadata().getName()))
                        .satisfies(old -> {
                            assertThat(MachineDeploymentController.specReplicas(old)).isZero();
                            assertThat(ObjectMaps.integer(old, -1, "status", "replicas")).isZero();
                        }));
        editDeployment(namespace, "roll-md-0", md -> {
            ObjectMaps.mapAt(md, "spec").put("revisionHistoryLimit", 0);
            return md;
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(management.list(Kind.MACHINE_SET, namespace)).extracting(s -> s.getMetadata().getName())
                        .containsExactly(newSet.getMetadata().getName()));
    }

    @Test
    void scalingAMachineDeploymentOrChangingItsTemplateLabelsRollsNothing() {
        String namespace = "md-scale";
        runningCluster(namespace, "scale", 2);
        GenericKubernetesResource set = management.list(Kind.MACHINE_SET, namespace).get(0);

        editDeployment(namespace, "scale-md-0", md -> {
            ObjectMaps.mapAt(md, "spec").put("replicas", 3);
            ObjectMaps.mapAt(md, "spec", "template", "metadata", "labels").put("team", "a");
            return md;
        });

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(workers(namespace, "scale")).hasSize(3).allSatisfy(m -> {
                assertThat(ObjectMaps.string(m, "status", "phase")).hasValue("Running");
                assertThat(ObjectMaps.string(m, "spec", "version")).hasValue(OLD);
            });
            GenericKubernetesResource deployment = management.get(Kind.MACHINE_DEPLOYMENT, namespace, "scale-md-0");
            assertThat(ObjectMaps.integer(deployment, -1, "status", "updatedReplicas")).isEqualTo(3);
        });
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(management.list(Kind.MACHINE_SET, namespace)).singleElement().satisfies(only -> {
                    assertThat(only.getMetadata().getName()).isEqualTo(set.getMetadata().getName());
                    assertThat(MachineDeploymentController.specReplicas(only)).isEqualTo(3);
                    assertThat(Templates.stringMap(ObjectMaps.at(only, "spec", "template", "metadata", "labels")
                            .orElse(null))).as("taken over in place").containsEntry("team", "a");
                }));
    }

    @Test
    void maxUnavailableOneAndMaxSurgeZeroRemoveAMachineBeforeAddingOne() {
        String namespace = "md-surge0";
        KubernetesClient workload = runningCluster(namespace, "nosurge", 3);
        editDeployment(namespace, "nosurge-md-0", md -> {
            ObjectMaps.mapAt(md, "spec").put("strategy", ObjectMaps.map("type", "RollingUpdate",
                    "rollingUpdate", ObjectMaps.map("maxSurge", 0, "maxUnavailable", 1)));
            return md;
        });
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(management.list(Kind.MACHINE_SET, namespace)).as("a strategy does not roll").hasSize(1));

        editDeployment(namespace, "nosurge-md-0", md -> {
            ObjectMaps.mapAt(md, "spec", "template", "spec").put("version", NEW);
            return md;
        });

        await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(120)).until(() -> {
            assertThat(workers(namespace, "nosurge")).as("machines, deleting ones too").hasSizeLessThanOrEqualTo(3);
            assertThat(readyWorkerNodes(workload)).as("Ready worker Nodes").isGreaterThanOrEqualTo(2);
            return rolledOut(namespace, "nosurge", workload, 3);
        });
    }

    @Test
    void aKubeadmControlPlaneWhoseVersionChangesReplacesOneMachineAtATimeAddingTheNewOneFirst() {
        String namespace = "kcp-roll";
        KubernetesClient workload = runningCluster(namespace, "cp", 3, 0, OLD, OLD);

        edit(Kind.KUBEADM_CONTROL_PLANE, namespace, "cp", kcp -> {
            ObjectMaps.mapAt(kcp, "spec").put("version", NEW);
            return kcp;
        });

        await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(120)).until(() -> {
            List<GenericKubernetesResource> machines = management.list(Kind.MACHINE, namespace);
            assertThat(machines).as("replicas + maxSurge").hasSizeLessThanOrEqualTo(4);
            assertThat(machines.stream().filter(m -> !Api.deleting(m)).count()).as("not being deleted")
                    .isGreaterThanOrEqualTo(3);
            assertThat(machines.stream().filter(m -> ObjectMaps.at(m, "status", "nodeRef").isEmpty()).count())
                    .as("one at a time").isLessThanOrEqualTo(1);
            GenericKubernetesResource kcp = management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "cp");
            List<Node> nodes = workload.nodes().list().getItems();
            return machines.size() == 3
                    && machines.stream().allMatch(m -> ObjectMaps.string(m, "spec", "version").orElse("").equals(NEW)
                    && ObjectMaps.at(m, "status", "nodeRef").isPresent())
                    && ObjectMaps.string(kcp, "status", "version").orElse("").equals(NEW)
                    && ObjectMaps.integer(kcp, -1, "status", "updatedReplicas") == 3
                    && ObjectMaps.integer(kcp, -1, "status", "readyReplicas") == 3
                    && nodes.size() == 3 && nodes.stream().allMatch(n -> Clusters.nodeReady(n)
                    && n.getStatus().getNodeInfo().getKubeletVersion().equals(NEW));
        });
        GenericKubernetesResource kcp = management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "cp");
        assertThat(Conditions.of(kcp).isTrue("MachinesSpecUpToDate")).isTrue();
        assertThat(workload.configMaps().inNamespace("kube-system").withName("kubeadm-config").get().getData()
                .get("ClusterConfiguration")).contains("kubernetesVersion: " + NEW);
    }

    @Test
    void aControlPlaneMachineWhoseCertificatesExpireWithinRolloutBeforeIsReplacedAndNoOtherIs() {
        String namespace = "kcp-certs";
        runningCluster(namespace, "certs", 3, 0, OLD, OLD);
        GenericKubernetesResource kcp = management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "certs");
        long days = ObjectMaps.integer(kcp, -1, "spec", "rolloutBefore", "certificatesExpiryDays");
        assertThat(days).as("rendered by pivotplane").isEqualTo(21);
        // KCP reads each API server certificate's expiry from the workload cluster: a year after its Node joined
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(management.list(Kind.MACHINE, namespace))
                .hasSize(3).allSatisfy(machine -> assertThat(ObjectMaps.string(machine, "status",
                        "certificatesExpiryDate").map(java.time.Instant::parse)).hasValueSatisfying(expiry ->
                        assertThat(expiry).isAfter(java.time.Instant.now().plus(Duration.ofDays(364))))));
        List<GenericKubernetesResource> before = management.list(Kind.MACHINE, namespace);
        GenericKubernetesResource expiring = before.get(0);
        Set<String> others = new java.util.HashSet<>(before.stream().map(m -> m.getMetadata().getName()).toList());
        others.remove(expiring.getMetadata().getName());

        // the Machine's own annotation overrides what KCP read: as if a year had gone by
        edit(Kind.MACHINE, namespace, expiring.getMetadata().getName(), machine -> {
            Map<String, String> annotations = new java.util.HashMap<>(Api.annotations(machine));
            annotations.put("machine.cluster.x-k8s.io/certificates-expiry",
                    java.time.Instant.now().plus(Duration.ofDays(days - 1)).toString());
            machine.getMetadata().setAnnotations(annotations);
            return machine;
        });

        await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(120)).until(() -> {
            List<GenericKubernetesResource> machines = management.list(Kind.MACHINE, namespace);
            assertThat(machines).as("replicas + maxSurge").hasSizeLessThanOrEqualTo(4);
            Set<String> names = new java.util.HashSet<>(machines.stream().map(m -> m.getMetadata().getName()).toList());
            assertThat(names).as("the machines whose certificates are far from expiry stay").containsAll(others);
            return machines.size() == 3 && !names.contains(expiring.getMetadata().getName())
                    && machines.stream().allMatch(m -> ObjectMaps.string(m, "status", "phase").orElse("")
                    .equals("Running"))
                    && Conditions.of(management.get(Kind.KUBEADM_CONTROL_PLANE, namespace, "certs"))
                    .isTrue("MachinesSpecUpToDate");
        });
    }

    /** A cluster of one control-plane machine at {@link #NEW} and {@code workers} at {@link #OLD}, all Running. */
    private KubernetesClient runningCluster(String namespace, String name, int workers) {
        return runningCluster(namespace, name, 1, workers, NEW, OLD);
    }

    private KubernetesClient runningCluster(String namespace, String name, int controlPlane, int workers,
                                            String controlPlaneVersion, String workerVersion) {
        // rendered at OLD, whose cloud-controller-manager release the add-ons know
        ClusterSpec spec = TestClusters.vsphere(namespace, name, controlPlane, workers, List.of());
        management.create(spec, RenderPhase.FULL, object -> {
            if (Capi.KUBEADM_CONTROL_PLANE.equals(object.getKind())) {
                ObjectMaps.mapAt(object, "spec").put("version", controlPlaneVersion);
            }
            if (Capi.MACHINE_DEPLOYMENT.equals(object.getKind())) {
                ObjectMaps.mapAt(object, "spec", "template", "spec").put("version", workerVersion);
            }
            return object;
        });
        KubernetesClient workload = management.awaitWorkload(namespace, name);
        ClusterAddons.install(management.client(), workload, spec);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(management.api.list(Kind.MACHINE, namespace, Map.of(Capi.CLUSTER_NAME_LABEL, name)))
                    .hasSize(controlPlane + workers)
                    .allSatisfy(m -> assertThat(ObjectMaps.string(m, "status", "phase")).hasValue("Running"));
            assertThat(workload.nodes().list().getItems()).hasSize(controlPlane + workers)
                    .allSatisfy(node -> assertThat(Clusters.nodeReady(node)).isTrue());
        });
        return workload;
    }

    private void editDeployment(String namespace, String name, UnaryOperator<GenericKubernetesResource> edit) {
        edit(Kind.MACHINE_DEPLOYMENT, namespace, name, edit);
    }

    private void edit(Kind kind, String namespace, String name, UnaryOperator<GenericKubernetesResource> edit) {
        KubectlEdit.edit(management.client().genericKubernetesResources(kind.context()).inNamespace(namespace)
                .withName(name), edit);
    }

    /** The deployment's machines, those being deleted too. */
    private List<GenericKubernetesResource> workers(String namespace, String cluster) {
        return management.api.list(Kind.MACHINE, namespace, Map.of(Capi.CLUSTER_NAME_LABEL, cluster,
                Capi.DEPLOYMENT_NAME_LABEL, cluster + "-md-0"));
    }

    private static long readyWorkerNodes(KubernetesClient workload) {
        return workload.nodes().list().getItems().stream()
                .filter(n -> !n.getMetadata().getLabels().containsKey("node-role.kubernetes.io/control-plane"))
                .filter(Clusters::nodeReady).count();
    }

    /**
     * Every machine of the deployment on {@link #NEW}, from the newest MachineSet, with a Ready Node of that version;
     * the old sets at 0.
     */
    private boolean rolledOut(String namespace, String cluster, KubernetesClient workload, int replicas) {
        List<GenericKubernetesResource> sets = management.list(Kind.MACHINE_SET, namespace);
        GenericKubernetesResource newest = sets.stream().filter(s -> ObjectMaps.string(s, "spec", "template", "spec",
                "version").orElse("").equals(NEW)).findFirst().orElse(null);
        if (newest == null || sets.size() != 2) {
            return false;
        }
        boolean oldAtZero = sets.stream().filter(s -> s != newest).allMatch(s ->
                MachineDeploymentController.specReplicas(s) == 0 && ObjectMaps.integer(s, -1, "status", "replicas") == 0);
        List<GenericKubernetesResource> machines = workers(namespace, cluster);
        List<Node> nodes = workload.nodes().list().getItems().stream()
                .filter(n -> !n.getMetadata().getLabels().containsKey("node-role.kubernetes.io/control-plane"))
                .toList();
        GenericKubernetesResource deployment = management.get(Kind.MACHINE_DEPLOYMENT, namespace, cluster + "-md-0");
        return oldAtZero && machines.size() == replicas
                && machines.stream().allMatch(m -> ObjectMaps.string(m, "spec", "version").orElse("").equals(NEW)
                && newest.getMetadata().getName().equals(Api.labels(m).get(Capi.SET_NAME_LABEL))
                && ObjectMaps.string(m, "status", "phase").orElse("").equals("Running"))
                && nodes.size() == replicas && nodes.stream().allMatch(n -> Clusters.nodeReady(n)
                && n.getStatus().getNodeInfo().getKubeletVersion().equals(NEW))
                && ObjectMaps.integer(deployment, -1, "status", "updatedReplicas") == replicas
                && ObjectMaps.integer(deployment, -1, "status", "replicas") == replicas
                && ObjectMaps.integer(deployment, -1, "status", "availableReplicas") == replicas;
    }
}
