package io.pivotplane.pivot.domain;

import static io.pivotplane.pivot.domain.FakeObjects.CLUSTER_API;
import static io.pivotplane.pivot.domain.FakeObjects.INFRASTRUCTURE;
import static io.pivotplane.pivot.domain.FakeObjects.all;
import static io.pivotplane.pivot.domain.FakeObjects.bootstrapTemplate;
import static io.pivotplane.pivot.domain.FakeObjects.clusterExternalObject;
import static io.pivotplane.pivot.domain.FakeObjects.clusterInfrastructureIdentity;
import static io.pivotplane.pivot.domain.FakeObjects.configMap;
import static io.pivotplane.pivot.domain.FakeObjects.controlPlaneTemplate;
import static io.pivotplane.pivot.domain.FakeObjects.externalObject;
import static io.pivotplane.pivot.domain.FakeObjects.find;
import static io.pivotplane.pivot.domain.FakeObjects.infrastructureMachineTemplate;
import static io.pivotplane.pivot.domain.FakeObjects.infrastructureTemplate;
import static io.pivotplane.pivot.domain.FakeObjects.secret;
import static io.pivotplane.pivot.domain.MovePlan.Selection.CLUSTER_TREE;
import static io.pivotplane.pivot.domain.MovePlan.Selection.FORCE_MOVE;
import static io.pivotplane.pivot.domain.MovePlan.Selection.REFERENCED;
import static org.assertj.core.api.Assertions.assertThat;

import io.pivotplane.capi.Capi;
import io.pivotplane.pivot.domain.FakeObjects.FakeCluster;
import io.pivotplane.pivot.domain.FakeObjects.FakeClusterClass;
import io.pivotplane.pivot.domain.FakeObjects.FakeClusterResourceSet;
import io.pivotplane.pivot.domain.FakeObjects.FakeControlPlane;
import io.pivotplane.pivot.domain.FakeObjects.FakeMachine;
import io.pivotplane.pivot.domain.FakeObjects.FakeMachineDeployment;
import io.pivotplane.pivot.domain.FakeObjects.FakeMachineDeploymentClass;
import io.pivotplane.pivot.domain.FakeObjects.FakeMachinePool;
import io.pivotplane.pivot.domain.FakeObjects.FakeMachineSet;
import io.pivotplane.pivot.domain.FakeObjects.FakeObject;
import io.pivotplane.pivot.domain.MovePlan.PlannedObject;
import io.pivotplane.pivot.domain.MovePlan.Selection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * clusterctl's object graph and move sequence scenarios ({@code cmd/clusterctl/client/cluster/objectgraph_test.go},
 * {@code mover_test.go} at v1.9.11), under their upstream names, adapted to moving one cluster: each names the
 * cluster moved, and where the adaptation changes the outcome the name says how. pivotplane's own scenarios follow
 * them in each table.
 */
class ObjectGraphTest {

    static final String NS = "ns1";
    static final String AWS = "infrastructure.cluster.x-k8s.io/v1beta2";

    /** The fake providers' types, and the kinds of pivotplane's providers that the scenarios below use. */
    static List<DiscoveryType> types() {
        List<DiscoveryType> types = new ArrayList<>(FakeObjects.discoveryTypes());
        types.add(FakeObjects.namespaced(AWS, "AWSCluster"));
        // CAPA labels its identity CRDs move-hierarchy (config/crd/patches/label_in_awsclusterstaticidentities.yaml)
        types.add(FakeObjects.type(AWS, "AWSClusterStaticIdentity", true, Capi.MOVE_HIERARCHY_LABEL));
        types.add(FakeObjects.namespaced(INFRASTRUCTURE, "AzureCluster"));
        types.add(FakeObjects.namespaced(INFRASTRUCTURE, "AzureClusterIdentity"));
        types.add(FakeObjects.namespaced(INFRASTRUCTURE, "VSphereCluster"));
        types.add(FakeObjects.type(INFRASTRUCTURE, "VSphereClusterIdentity", true));
        types.add(FakeObjects.namespaced(INFRASTRUCTURE, "GCPCluster"));
        return types;
    }

    static MovePlan plan(List<FakeObject> objects, String cluster) {
        return ObjectGraph.plan(types(), FakeObjects.read(objects), NS, cluster);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // clusterctl's moveTests (Test_getMoveSequence): the move groups of the cluster moved.

    record MoveSequence(String name, String cluster, Supplier<List<FakeObject>> objects, List<List<String>> groups,
                        List<String> problems) {

        MoveSequence(String name, String cluster, Supplier<List<FakeObject>> objects, List<List<String>> groups) {
            this(name, cluster, objects, groups, List.of());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<MoveSequence> moveSequences() {
        return Stream.of(
                new MoveSequence("Cluster", "foo", () -> new FakeCluster(NS, "foo").objs(), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo"))),
                new MoveSequence("Cluster with cloud config secret with the force move label, labelled for the cluster",
                        "foo", () -> {
                            List<FakeObject> objs = new FakeCluster(NS, "foo").withCloudConfigSecret().objs();
                            find(objs, "Secret", "foo-cloud-config").clusterLabel("foo");
                            return objs;
                        }, List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo",
                                "/v1, Kind=Secret, ns1/foo-cloud-config"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo"))),
                new MoveSequence("Cluster with machine", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withMachines(new FakeMachine("m1"), new FakeMachine("m2")).objs(), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "/v1, Kind=Secret, ns1/cluster1-ca",
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m1",
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m2",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1"),
                        List.of("bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m1",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m2",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m2"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-sa",
                                "/v1, Kind=Secret, ns1/m1",
                                "/v1, Kind=Secret, ns1/m2"))),
                new MoveSequence("Cluster with MachineSet", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withMachineSets(new FakeMachineSet("ms1")
                                .withMachines(new FakeMachine("m1"), new FakeMachine("m2"))).objs(), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-ca",
                                "/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/ms1",
                                "cluster.x-k8s.io/v1beta1, Kind=MachineSet, ns1/ms1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/ms1"),
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m1",
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m2"),
                        List.of("bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m1",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m2",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m2"),
                        List.of("/v1, Kind=Secret, ns1/m1",
                                "/v1, Kind=Secret, ns1/m2"))),
                new MoveSequence("Cluster with MachineDeployment", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withMachineDeployments(new FakeMachineDeployment("md1").withMachineSets(
                                new FakeMachineSet("ms1").withMachines(new FakeMachine("m1"), new FakeMachine("m2"))))
                        .objs(), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-ca",
                                "/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/md1",
                                "cluster.x-k8s.io/v1beta1, Kind=MachineDeployment, ns1/md1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/md1"),
                        List.of("cluster.x-k8s.io/v1beta1, Kind=MachineSet, ns1/ms1"),
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m1",
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m2"),
                        List.of("bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m1",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m2",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m2"),
                        List.of("/v1, Kind=Secret, ns1/m1",
                                "/v1, Kind=Secret, ns1/m2"))),
                new MoveSequence("Cluster with MachineDeployment with a static bootstrap config", "cluster1",
                        () -> new FakeCluster(NS, "cluster1").withMachineDeployments(new FakeMachineDeployment("md1")
                                .withStaticBootstrapConfig().withMachineSets(new FakeMachineSet("ms1")
                                        .withStaticBootstrapConfig().withMachines(
                                                new FakeMachine("m1").withStaticBootstrapConfig(),
                                                new FakeMachine("m2").withStaticBootstrapConfig()))).objs(), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-ca",
                                "/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "cluster.x-k8s.io/v1beta1, Kind=MachineDeployment, ns1/md1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/md1"),
                        List.of("cluster.x-k8s.io/v1beta1, Kind=MachineSet, ns1/ms1"),
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m1",
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m2"),
                        List.of("infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m2"))),
                new MoveSequence("Cluster with Control Plane", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withControlPlane(new FakeControlPlane("cp1")
                                .withMachines(new FakeMachine("m1"), new FakeMachine("m2"))).objs(), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-ca",
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlane, ns1/cp1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/cp1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "/v1, Kind=Secret, ns1/cluster1-sa",
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m1",
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m2"),
                        List.of("bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m1",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m2",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m2"),
                        List.of("/v1, Kind=Secret, ns1/m1",
                                "/v1, Kind=Secret, ns1/m2"))),
                new MoveSequence("Cluster with MachinePool", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withMachinePools(new FakeMachinePool("mp1")).objs(), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-ca",
                                "/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/mp1",
                                "cluster.x-k8s.io/v1beta1, Kind=MachinePool, ns1/mp1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/mp1"))),
                new MoveSequence("Two clusters: moving foo takes foo's objects only", "foo",
                        () -> all(new FakeCluster(NS, "foo").objs(), new FakeCluster(NS, "bar").objs()), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo"))),
                new MoveSequence("Two clusters with a shared object: moving cluster1, the object's other owner is a problem",
                        "cluster1", ObjectGraphTest::twoClustersWithASharedObject, List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-ca",
                                "/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/cluster1-ms1",
                                "cluster.x-k8s.io/v1beta1, Kind=MachineSet, ns1/cluster1-ms1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/shared"),
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/cluster1-m1"),
                        List.of("bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/cluster1-m1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/cluster1-m1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-m1")),
                        List.of("GenericInfrastructureMachineTemplate ns1/shared is owned by Cluster ns1/cluster2, which"
                                + " is not moved")),
                new MoveSequence("A ClusterResourceSet applied to a cluster", "cluster1",
                        () -> clusterResourceSetAppliedTo("cluster1"), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1",
                                "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSet, ns1/crs1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-ca",
                                "/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1",
                                "/v1, Kind=Secret, ns1/resource-s1",
                                "/v1, Kind=ConfigMap, ns1/resource-c1",
                                "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSetBinding, ns1/cluster1"))),
                new MoveSequence("A ClusterResourceSet applied to two clusters: moving cluster1 leaves cluster2's binding",
                        "cluster1", () -> clusterResourceSetAppliedTo("cluster1", "cluster2"), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1",
                                "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSet, ns1/crs1"),
                        List.of("/v1, Kind=Secret, ns1/cluster1-ca",
                                "/v1, Kind=Secret, ns1/cluster1-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/cluster1",
                                "/v1, Kind=Secret, ns1/resource-s1",
                                "/v1, Kind=ConfigMap, ns1/resource-c1",
                                "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSetBinding, ns1/cluster1"))),
                new MoveSequence("Cluster with ClusterClass", "foo", () -> all(
                        new FakeClusterClass(NS, "class1").objs(),
                        new FakeCluster(NS, "foo").withTopologyClass("class1").objs()), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=ClusterClass, ns1/class1"),
                        List.of("infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureClusterTemplate, ns1/class1",
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/class1",
                                "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo"))),
                new MoveSequence("Two Clusters with two ClusterClasses: moving foo1 takes class1 only", "foo1", () -> all(
                        new FakeClusterClass(NS, "class1").objs(),
                        new FakeClusterClass(NS, "class2").objs(),
                        new FakeCluster(NS, "foo1").withTopologyClass("class1").objs(),
                        new FakeCluster(NS, "foo2").withTopologyClass("class2").objs()), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=ClusterClass, ns1/class1"),
                        List.of("infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureClusterTemplate, ns1/class1",
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/class1",
                                "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo1"),
                        List.of("/v1, Kind=Secret, ns1/foo1-ca",
                                "/v1, Kind=Secret, ns1/foo1-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo1"))),
                new MoveSequence("Two Clusters sharing one ClusterClass: moving foo1 leaves foo2", "foo1",
                        ObjectGraphTest::twoClustersSharingOneClusterClass, List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=ClusterClass, ns1/class1"),
                        List.of("infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureClusterTemplate, ns1/class1",
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/class1",
                                "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo1"),
                        List.of("/v1, Kind=Secret, ns1/foo1-ca",
                                "/v1, Kind=Secret, ns1/foo1-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo1"))),
                new MoveSequence("Cluster with unused ClusterClass: the class stays", "foo1", () -> all(
                        new FakeClusterClass(NS, "class1").objs(), new FakeCluster(NS, "foo1").objs()), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo1"),
                        List.of("/v1, Kind=Secret, ns1/foo1-ca",
                                "/v1, Kind=Secret, ns1/foo1-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo1"))),
                new MoveSequence("Namespaced External Objects with force move label, labelled for the cluster", "foo",
                        () -> all(new FakeCluster(NS, "foo").objs(),
                                List.of(externalObject(NS, "externalObject1").clusterLabel("foo"))), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo",
                                "external.cluster.x-k8s.io/v1beta1, Kind=GenericExternalObject, ns1/externalObject1"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo"))),
                new MoveSequence("Global External Objects with force move label, labelled for the cluster", "foo",
                        () -> all(new FakeCluster(NS, "foo").objs(),
                                List.of(clusterExternalObject("externalObject1").clusterLabel("foo"))), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo",
                                "external.cluster.x-k8s.io/v1beta1, Kind=GenericClusterExternalObject, externalObject1"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo"))),
                new MoveSequence("Cluster owning a secret with infrastructure credentials", "foo",
                        () -> new FakeCluster(NS, "foo").withCredentialSecret().objs(), List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-credentials",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo"))),
                new MoveSequence("A global identity for an infrastructure provider owning a Secret with credentials in"
                        + " the provider's namespace, used by the cluster", "foo", ObjectGraphTest::clusterUsingGlobalIdentity,
                        List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericClusterInfrastructureIdentity, infra1-identity"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo",
                                "/v1, Kind=Secret, infra1-system/infra1-identity-credentials"))),
                // pivotplane's
                new MoveSequence("AWS: the static identity comes first, its Secret in capa-system with the cluster's"
                        + " objects", "foo", ObjectGraphTest::awsClustersSharingAStaticIdentity, List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo",
                                "infrastructure.cluster.x-k8s.io/v1beta2, Kind=AWSClusterStaticIdentity, team-aws"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta2, Kind=AWSCluster, ns1/foo",
                                "/v1, Kind=Secret, capa-system/team-aws-credentials"))),
                new MoveSequence("vSphere: the identity Secret the VSphereCluster owns comes after it", "foo",
                        ObjectGraphTest::vsphereClusterOwningItsIdentitySecret, List.of(
                        List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo"),
                        List.of("/v1, Kind=Secret, ns1/foo-ca",
                                "/v1, Kind=Secret, ns1/foo-kubeconfig",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=VSphereCluster, ns1/foo"),
                        List.of("/v1, Kind=Secret, ns1/vsphere-credentials"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("moveSequences")
    void movesInClusterctlsGroups(MoveSequence row) {
        MovePlan plan = plan(row.objects().get(), row.cluster());

        assertThat(plan.problems()).containsExactlyInAnyOrderElementsOf(row.problems());
        assertThat(plan.groups()).hasSameSizeAs(row.groups());
        for (int group = 0; group < row.groups().size(); group++) {
            assertThat(uids(plan.groups().get(group))).as("group %d", group)
                    .containsExactlyInAnyOrderElementsOf(row.groups().get(group));
        }
        assertThat(uids(plan.objects())).as("creation order is group after group")
                .containsExactlyElementsOf(plan.groups().stream().flatMap(List::stream).map(o -> o.identity().uid())
                        .toList());
    }

    /**
     * clusterctl's TestObjectGraph_addObj "Add an object with an owner ref and its owner (reverse discovery order)":
     * an owner read after what it owns is a virtual node until then, and the plan comes out the same.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("moveSequences")
    void plansTheSameWhateverTheOrderObjectsAreReadIn(MoveSequence row) {
        List<FakeObject> objects = row.objects().get();
        List<FakeObject> reversed = new ArrayList<>(objects);
        Collections.reverse(reversed);

        assertThat(plan(reversed, row.cluster())).isEqualTo(plan(objects, row.cluster()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // clusterctl's objectGraphsTests (TestObjectGraph_Discovery): the nodes of the moved cluster's plan, each with the
    // owner references its copy gets.

    record Graph(String name, String cluster, Supplier<List<FakeObject>> objects, Map<String, List<String>> nodes,
                 List<String> problems) {

        Graph(String name, String cluster, Supplier<List<FakeObject>> objects, Map<String, List<String>> nodes) {
            this(name, cluster, objects, nodes, List.of());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The nodes of {@code NewFakeCluster(ns1, name)} without a control plane, and others as given. */
    static Map<String, List<String>> clusterNodes(String name, Object... more) {
        String cluster = "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/" + name;
        Map<String, List<String>> nodes = new LinkedHashMap<>();
        nodes.put(cluster, List.of());
        nodes.put("infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/" + name,
                List.of(cluster));
        nodes.put("/v1, Kind=Secret, ns1/" + name + "-ca", List.of());
        nodes.put("/v1, Kind=Secret, ns1/" + name + "-kubeconfig", List.of(cluster));
        return with(nodes, more);
    }

    @SuppressWarnings("unchecked")
    static Map<String, List<String>> with(Map<String, List<String>> nodes, Object... uidsThenOwners) {
        Map<String, List<String>> all = new LinkedHashMap<>(nodes);
        for (int i = 0; i < uidsThenOwners.length; i += 2) {
            all.put((String) uidsThenOwners[i], (List<String>) uidsThenOwners[i + 1]);
        }
        return all;
    }

    static Stream<Graph> graphs() {
        String cluster1 = "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1";
        String machine1 = "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/m1";
        String bootstrap1 = "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/m1";
        String machineSet1 = "cluster.x-k8s.io/v1beta1, Kind=MachineSet, ns1/ms1";
        String deployment1 = "cluster.x-k8s.io/v1beta1, Kind=MachineDeployment, ns1/md1";
        String controlPlane1 = "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlane, ns1/cp1";
        String crs1 = "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSet, ns1/crs1";
        String class1 = "cluster.x-k8s.io/v1beta1, Kind=ClusterClass, ns1/clusterclass1";
        Object[] machine1Nodes = {
                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/m1", List.of(machine1),
                bootstrap1, List.of(machine1),
                "/v1, Kind=Secret, ns1/m1", List.of(bootstrap1)};
        Object[] crsNodes = {
                crs1, List.of(),
                "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSetBinding, ns1/cluster1", List.of(crs1),
                "/v1, Kind=Secret, ns1/resource-s1", List.of(crs1),
                "/v1, Kind=ConfigMap, ns1/resource-c1", List.of(crs1)};
        Object[] class1Nodes = {
                class1, List.of(),
                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureClusterTemplate, ns1/clusterclass1",
                List.of(class1)};
        return Stream.of(
                new Graph("Cluster", "cluster1", () -> new FakeCluster(NS, "cluster1").objs(),
                        clusterNodes("cluster1")),
                new Graph("Cluster with cloud config secret with the force move label: without the cluster's name"
                        + " label it stays", "cluster1",
                        () -> new FakeCluster(NS, "cluster1").withCloudConfigSecret().objs(), clusterNodes("cluster1")),
                new Graph("Two clusters", "cluster1",
                        () -> all(new FakeCluster(NS, "cluster1").objs(), new FakeCluster(NS, "cluster2").objs()),
                        clusterNodes("cluster1")),
                new Graph("Cluster with machine", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withMachines(new FakeMachine("m1")).objs(), with(clusterNodes("cluster1",
                        machine1, List.of(cluster1),
                        "/v1, Kind=Secret, ns1/cluster1-sa", List.of(bootstrap1)), machine1Nodes)),
                new Graph("Cluster with MachineSet", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withMachineSets(new FakeMachineSet("ms1").withMachines(new FakeMachine("m1"))).objs(),
                        with(clusterNodes("cluster1",
                                machineSet1, List.of(cluster1),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/ms1",
                                List.of(cluster1),
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/ms1",
                                List.of(cluster1),
                                machine1, List.of(machineSet1)), machine1Nodes)),
                new Graph("Cluster with MachineDeployment", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withMachineDeployments(new FakeMachineDeployment("md1").withMachineSets(
                                new FakeMachineSet("ms1").withMachines(new FakeMachine("m1")))).objs(),
                        with(clusterNodes("cluster1",
                                deployment1, List.of(cluster1),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/md1",
                                List.of(cluster1),
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/md1",
                                List.of(cluster1),
                                machineSet1, List.of(deployment1),
                                machine1, List.of(machineSet1)), machine1Nodes)),
                new Graph("Cluster with MachineDeployment without a BootstrapConfigRef", "cluster1",
                        () -> new FakeCluster(NS, "cluster1").withMachineDeployments(new FakeMachineDeployment("md1")
                                .withStaticBootstrapConfig().withMachineSets(
                                        new FakeMachineSet("ms1").withMachines(new FakeMachine("m1")))).objs(),
                        with(clusterNodes("cluster1",
                                deployment1, List.of(cluster1),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/md1",
                                List.of(cluster1),
                                machineSet1, List.of(deployment1),
                                machine1, List.of(machineSet1)), machine1Nodes)),
                new Graph("Cluster with Control Plane", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withControlPlane(new FakeControlPlane("cp1").withMachines(new FakeMachine("m1"))).objs(),
                        with(clusterNodes("cluster1",
                                controlPlane1, List.of(cluster1),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/cp1",
                                List.of(cluster1),
                                "/v1, Kind=Secret, ns1/cluster1-sa", List.of(controlPlane1),
                                "/v1, Kind=Secret, ns1/cluster1-kubeconfig", List.of(controlPlane1),
                                machine1, List.of(controlPlane1)), machine1Nodes)),
                new Graph("Cluster with MachinePool", "cluster1", () -> new FakeCluster(NS, "cluster1")
                        .withMachinePools(new FakeMachinePool("mp1")).objs(), clusterNodes("cluster1",
                        "cluster.x-k8s.io/v1beta1, Kind=MachinePool, ns1/mp1", List.of(cluster1),
                        "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/mp1",
                        List.of(cluster1),
                        "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/mp1",
                        List.of(cluster1))),
                new Graph("Two clusters with shared objects: the shared one keeps the moved cluster as owner, and the"
                        + " other is a problem", "cluster1", ObjectGraphTest::twoClustersWithASharedObject,
                        clusterNodes("cluster1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/shared",
                                List.of(cluster1),
                                "cluster.x-k8s.io/v1beta1, Kind=MachineSet, ns1/cluster1-ms1", List.of(cluster1),
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/cluster1-ms1",
                                List.of(cluster1),
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/cluster1-m1",
                                List.of("cluster.x-k8s.io/v1beta1, Kind=MachineSet, ns1/cluster1-ms1"),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/cluster1-m1",
                                List.of("cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/cluster1-m1"),
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/cluster1-m1",
                                List.of("cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/cluster1-m1"),
                                "/v1, Kind=Secret, ns1/cluster1-m1",
                                List.of("bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/cluster1-m1")),
                        List.of("GenericInfrastructureMachineTemplate ns1/shared is owned by Cluster ns1/cluster2, which"
                                + " is not moved")),
                new Graph("A ClusterResourceSet applied to a cluster", "cluster1",
                        () -> clusterResourceSetAppliedTo("cluster1"), with(clusterNodes("cluster1"), crsNodes)),
                new Graph("A ClusterResourceSet applied to two clusters", "cluster1",
                        () -> clusterResourceSetAppliedTo("cluster1", "cluster2"), with(clusterNodes("cluster1"), crsNodes)),
                new Graph("Namespaced External Objects with force move label, labelled for the cluster", "cluster1",
                        () -> all(new FakeCluster(NS, "cluster1").objs(),
                                List.of(externalObject(NS, "externalObject1").clusterLabel("cluster1"))),
                        clusterNodes("cluster1",
                                "external.cluster.x-k8s.io/v1beta1, Kind=GenericExternalObject, ns1/externalObject1",
                                List.of())),
                new Graph("Namespaced External Objects with force move label: without the cluster's name label it"
                        + " stays", "cluster1", () -> all(new FakeCluster(NS, "cluster1").objs(),
                        List.of(externalObject(NS, "externalObject1"))), clusterNodes("cluster1")),
                new Graph("Global External Objects with force move label, labelled for the cluster", "cluster1",
                        () -> all(new FakeCluster(NS, "cluster1").objs(),
                                List.of(clusterExternalObject("externalObject1").clusterLabel("cluster1"))),
                        clusterNodes("cluster1",
                                "external.cluster.x-k8s.io/v1beta1, Kind=GenericClusterExternalObject, externalObject1",
                                List.of())),
                new Graph("Secrets from provider's namespace: one no object uses stays", "cluster1",
                        () -> all(new FakeCluster(NS, "cluster1").objs(), List.of(secret("infra-system", "credentials"))),
                        clusterNodes("cluster1")),
                new Graph("Cluster owning a secret with infrastructure credentials", "cluster1",
                        () -> new FakeCluster(NS, "cluster1").withCredentialSecret().objs(), clusterNodes("cluster1",
                        "/v1, Kind=Secret, ns1/cluster1-credentials", List.of(cluster1))),
                new Graph("A global identity for an infrastructure provider owning a Secret with credentials in the"
                        + " provider's namespace, used by the cluster", "foo", ObjectGraphTest::clusterUsingGlobalIdentity,
                        clusterNodes("foo",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericClusterInfrastructureIdentity, infra1-identity",
                                List.of(),
                                "/v1, Kind=Secret, infra1-system/infra1-identity-credentials",
                                List.of("infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericClusterInfrastructureIdentity, infra1-identity"))),
                new Graph("ClusterClass, used by the cluster", "foo", () -> all(
                        new FakeClusterClass(NS, "clusterclass1").objs(),
                        new FakeCluster(NS, "foo").withTopologyClass("clusterclass1").objs()),
                        with(with(clusterNodes("foo"), class1Nodes),
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/clusterclass1",
                                List.of(class1))),
                new Graph("ClusterClass with control plane infrastructure template, used by the cluster", "foo",
                        () -> all(new FakeClusterClass(NS, "clusterclass1").withControlPlaneInfrastructureTemplate(
                                        infrastructureMachineTemplate(NS, "inframachinetemplate1")).objs(),
                                new FakeCluster(NS, "foo").withTopologyClass("clusterclass1").objs()),
                        with(with(clusterNodes("foo"), class1Nodes),
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/clusterclass1",
                                List.of(class1),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/inframachinetemplate1",
                                List.of(class1))),
                new Graph("ClusterClass with worker machine deployment class, used by the cluster", "foo",
                        () -> all(new FakeClusterClass(NS, "clusterclass1").withWorkerMachineDeploymentClasses(
                                        new FakeMachineDeploymentClass(NS, "mdclass1")).objs(),
                                new FakeCluster(NS, "foo").withTopologyClass("clusterclass1").objs()),
                        with(with(clusterNodes("foo"), class1Nodes),
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/clusterclass1",
                                List.of(class1),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/mdclass1",
                                List.of(class1),
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/mdclass1",
                                List.of(class1))),
                new Graph("ClusterClass with 2 worker machine deployment classes with shared templates, used by the"
                        + " cluster", "foo", () -> {
                            FakeObject infrastructure = infrastructureMachineTemplate(NS, "infamachinetemplate1");
                            FakeObject bootstrap = bootstrapTemplate(NS, "bootstraptemplate1");
                            return all(new FakeClusterClass(NS, "clusterclass1").withWorkerMachineDeploymentClasses(
                                            new FakeMachineDeploymentClass(NS, "mdclass1")
                                                    .withInfrastructureMachineTemplate(infrastructure)
                                                    .withBootstrapTemplate(bootstrap),
                                            new FakeMachineDeploymentClass(NS, "mdclass2")
                                                    .withInfrastructureMachineTemplate(infrastructure)
                                                    .withBootstrapTemplate(bootstrap)).objs(),
                                    new FakeCluster(NS, "foo").withTopologyClass("clusterclass1").objs());
                        },
                        with(with(clusterNodes("foo"), class1Nodes),
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/clusterclass1",
                                List.of(class1),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/infamachinetemplate1",
                                List.of(class1),
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/bootstraptemplate1",
                                List.of(class1))),
                new Graph("Two ClusterClasses: the one the cluster uses", "foo", () -> all(
                        new FakeClusterClass(NS, "clusterclass1").objs(),
                        new FakeClusterClass(NS, "clusterclass2").objs(),
                        new FakeCluster(NS, "foo").withTopologyClass("clusterclass1").objs()),
                        with(with(clusterNodes("foo"), class1Nodes),
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/clusterclass1",
                                List.of(class1))),
                new Graph("Two ClusterClasses with shared templates: the templates' other class is a problem", "foo",
                        ObjectGraphTest::twoClusterClassesWithSharedTemplates,
                        with(with(clusterNodes("foo"), class1Nodes),
                                "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/controlplanetemplate1",
                                List.of(class1),
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/infamachinetemplate1",
                                List.of(class1),
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/bootstraptemplate1",
                                List.of(class1)),
                        List.of("GenericControlPlaneTemplate ns1/controlplanetemplate1 is owned by ClusterClass"
                                        + " ns1/clusterclass2, which is not moved",
                                "GenericInfrastructureMachineTemplate ns1/infamachinetemplate1 is owned by ClusterClass"
                                        + " ns1/clusterclass2, which is not moved",
                                "GenericBootstrapConfigTemplate ns1/bootstraptemplate1 is owned by ClusterClass"
                                        + " ns1/clusterclass2, which is not moved")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphs")
    void plansTheClustersNodesWithTheirOwners(Graph row) {
        MovePlan plan = plan(row.objects().get(), row.cluster());

        Map<String, List<String>> nodes = plan.objects().stream().collect(Collectors.toMap(
                object -> object.identity().uid(), object -> object.owners().stream().map(GraphObject.Owner::uid)
                        .toList()));
        assertThat(nodes).containsOnlyKeys(row.nodes().keySet());
        row.nodes().forEach((uid, owners) -> assertThat(nodes.get(uid)).as(uid)
                .containsExactlyInAnyOrderElementsOf(owners));
        assertThat(plan.problems()).containsExactlyInAnyOrderElementsOf(row.problems());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // clusterctl's Test_objectGraph_setSoftOwnership: a soft-owned object moves, after its soft owner.

    record SoftOwnership(String name, String cluster, Supplier<List<FakeObject>> objects, String softOwner,
                         String softOwned) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<SoftOwnership> softOwnerships() {
        return Stream.of(
                new SoftOwnership("A cluster with a soft owned secret", "cluster1",
                        () -> new FakeCluster(NS, "cluster1").objs(),
                        "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1", "/v1, Kind=Secret, ns1/cluster1-ca"),
                new SoftOwnership("A ClusterClass with a soft owned Cluster", "cluster1", () -> all(
                        new FakeClusterClass(NS, "class1").objs(),
                        new FakeCluster(NS, "cluster1").withTopologyClass("class1").objs()),
                        "cluster.x-k8s.io/v1beta1, Kind=ClusterClass, ns1/class1",
                        "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                new SoftOwnership("A ClusterClass in another namespace with a soft owned Cluster", "cluster1", () -> all(
                        new FakeClusterClass("ns2", "class1").objs(),
                        new FakeCluster(NS, "cluster1").withTopologyClass("class1").withTopologyClassNamespace("ns2")
                                .objs()),
                        "cluster.x-k8s.io/v1beta1, Kind=ClusterClass, ns2/class1",
                        "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1"),
                new SoftOwnership("A Cluster with a soft owned ClusterResourceSetBinding", "cluster1",
                        () -> clusterResourceSetAppliedTo("cluster1"),
                        "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1",
                        "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSetBinding, ns1/cluster1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("softOwnerships")
    void softOwnedObjectsMoveAfterTheirSoftOwners(SoftOwnership row) {
        MovePlan plan = plan(row.objects().get(), row.cluster());

        PlannedObject owner = planned(plan, row.softOwner());
        PlannedObject owned = planned(plan, row.softOwned());
        assertThat(owned.group()).isGreaterThan(owner.group());
        assertThat(owned.owners()).as("soft ownership is no owner reference").extracting(GraphObject.Owner::uid)
                .doesNotContain(row.softOwner());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // clusterctl's Test_objectGraph_setClusterTenants, setCRSTenants, setGlobalIdentityTenants: what the moved
    // cluster's plan holds, and why.

    record Tenants(String name, String cluster, Supplier<List<FakeObject>> objects, Map<String, Selection> planned) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Tenants> tenants() {
        Map<String, Selection> crsTenants = Map.of(
                "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSet, ns1/crs1", REFERENCED,
                "/v1, Kind=Secret, ns1/resource-s1", REFERENCED,
                "/v1, Kind=ConfigMap, ns1/resource-c1", REFERENCED,
                "addons.cluster.x-k8s.io/v1beta1, Kind=ClusterResourceSetBinding, ns1/cluster1", CLUSTER_TREE);
        return Stream.of(
                new Tenants("One cluster", "foo", () -> new FakeCluster(NS, "foo").objs(), tree("foo")),
                new Tenants("two clusters, in different namespaces, read only 1 (TestObjectGraph_DiscoveryByNamespace)",
                        "cluster1", () -> all(new FakeCluster(NS, "cluster1").objs(),
                        new FakeCluster("ns2", "cluster1").objs()), tree("cluster1")),
                new Tenants("Object not owned by a cluster should be ignored", "foo", () -> all(
                        new FakeCluster(NS, "foo").objs(), List.of(infrastructureTemplate("orphan"))), tree("foo")),
                new Tenants("an object labelled for the cluster but owned by nothing is not the cluster's: clusterctl"
                        + " moves by ownership (CAPI's controllers own templates), not by label", "foo", () -> all(
                        new FakeCluster(NS, "foo").objs(),
                        List.of(infrastructureMachineTemplate(NS, "foo-md-0").clusterLabel("foo"))), tree("foo")),
                new Tenants("Two clusters: foo's", "foo",
                        () -> all(new FakeCluster(NS, "foo").objs(), new FakeCluster(NS, "bar").objs()), tree("foo")),
                new Tenants("Two clusters: bar's", "bar",
                        () -> all(new FakeCluster(NS, "foo").objs(), new FakeCluster(NS, "bar").objs()), tree("bar")),
                new Tenants("Two clusters with a shared object", "cluster1", ObjectGraphTest::twoClustersWithASharedObject,
                        tree("cluster1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachineTemplate, ns1/shared",
                                "cluster.x-k8s.io/v1beta1, Kind=MachineSet, ns1/cluster1-ms1",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfigTemplate, ns1/cluster1-ms1",
                                "cluster.x-k8s.io/v1beta1, Kind=Machine, ns1/cluster1-m1",
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureMachine, ns1/cluster1-m1",
                                "bootstrap.cluster.x-k8s.io/v1beta1, Kind=GenericBootstrapConfig, ns1/cluster1-m1",
                                "/v1, Kind=Secret, ns1/cluster1-m1")),
                new Tenants("A ClusterResourceSet applied to a cluster: the binding is the cluster's, the set and its"
                        + " resources are used", "cluster1", () -> clusterResourceSetAppliedTo("cluster1"),
                        plus(tree("cluster1"), crsTenants)),
                new Tenants("A ClusterResourceSet applied to two clusters: the other cluster's binding is not moved",
                        "cluster1", () -> clusterResourceSetAppliedTo("cluster1", "cluster2"),
                        plus(tree("cluster1"), crsTenants)),
                new Tenants("A global identity for an infrastructure provider owning a Secret with credentials in the"
                        + " provider's namespace, used by the cluster", "foo", ObjectGraphTest::clusterUsingGlobalIdentity,
                        plus(tree("foo"), Map.of(
                                "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericClusterInfrastructureIdentity, infra1-identity",
                                REFERENCED,
                                "/v1, Kind=Secret, infra1-system/infra1-identity-credentials", REFERENCED))));
    }

    static Map<String, Selection> tree(String cluster, String... more) {
        Map<String, Selection> tree = new LinkedHashMap<>();
        clusterNodes(cluster).keySet().forEach(uid -> tree.put(uid, CLUSTER_TREE));
        for (String uid : more) {
            tree.put(uid, CLUSTER_TREE);
        }
        return tree;
    }

    static Map<String, Selection> plus(Map<String, Selection> planned, Map<String, Selection> more) {
        Map<String, Selection> all = new LinkedHashMap<>(planned);
        all.putAll(more);
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tenants")
    void plansTheClustersTenantsAndWhatTheyUse(Tenants row) {
        MovePlan plan = plan(row.objects().get(), row.cluster());

        assertThat(plan.objects().stream().collect(Collectors.toMap(o -> o.identity().uid(), PlannedObject::selection)))
                .isEqualTo(row.planned());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // What leaves the source: clusterctl's Test_objectMover_deleteSourceObject and createTargetObject rows, and
    // pivotplane's rules for one cluster and its providers. Each planned object reads
    // "<selection> deleted|kept[, keep existing]".

    record Deletion(String name, String cluster, Supplier<List<FakeObject>> objects, Map<String, String> decisions) {

        @Override
        public String toString() {
            return name;
        }
    }

    static final String TREE_DELETED = "CLUSTER_TREE deleted";
    static final String FORCED_DELETED = "FORCE_MOVE deleted";
    static final String USED_KEPT = "REFERENCED kept, keep existing";

    static Stream<Deletion> deletions() {
        return Stream.of(
                new Deletion("deletes from source if the object is not Global/GlobalHierarchy", "foo",
                        () -> new FakeCluster(NS, "foo").objs(), decisions(tree("foo"), Map.of())),
                new Deletion("does not delete from source if the object is Global (and does not update it in the"
                        + " target)", "foo", () -> all(new FakeCluster(NS, "foo").objs(),
                        List.of(clusterExternalObject("externalObject1").clusterLabel("foo"))),
                        decisions(tree("foo"), Map.of(
                                "external.cluster.x-k8s.io/v1beta1, Kind=GenericClusterExternalObject, externalObject1",
                                "FORCE_MOVE kept, keep existing"))),
                new Deletion("does not delete from source if the object is Global Hierarchy (and does not update it"
                        + " in the target): a global identity labelled for the cluster", "foo", () -> {
                            List<FakeObject> identity = clusterInfrastructureIdentity("infra1-identity", "infra1-system");
                            identity.get(0).clusterLabel("foo");
                            return all(new FakeCluster(NS, "foo").objs(), identity);
                        }, decisions(tree("foo"), Map.of(
                        "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericClusterInfrastructureIdentity, infra1-identity",
                        "FORCE_MOVE kept, keep existing",
                        "/v1, Kind=Secret, infra1-system/infra1-identity-credentials",
                        "FORCE_MOVE kept, keep existing"))),
                new Deletion("Two Clusters sharing one ClusterClass: moving foo1 copies the class and its templates",
                        "foo1", ObjectGraphTest::twoClustersSharingOneClusterClass, decisions(tree("foo1"), Map.of(
                        "cluster.x-k8s.io/v1beta1, Kind=ClusterClass, ns1/class1", USED_KEPT,
                        "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureClusterTemplate, ns1/class1",
                        USED_KEPT,
                        "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/class1",
                        USED_KEPT))),
                new Deletion("setShouldNotDelete: a ClusterClass labelled for the moved cluster, that another cluster"
                        + " uses, is not deleted", "foo1", () -> {
                            List<FakeObject> objs = twoClustersSharingOneClusterClass();
                            find(objs, "ClusterClass", "class1").clusterLabel("foo1");
                            return objs;
                        }, decisions(tree("foo1"), Map.of(
                        "cluster.x-k8s.io/v1beta1, Kind=ClusterClass, ns1/class1", "FORCE_MOVE kept",
                        "infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureClusterTemplate, ns1/class1",
                        "FORCE_MOVE kept",
                        "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/class1",
                        "FORCE_MOVE kept"))),
                new Deletion("vSphere: an unlabelled identity Secret owned by the VSphereCluster moves and is deleted",
                        "foo", ObjectGraphTest::vsphereClusterOwningItsIdentitySecret, decisions(
                        vsphereTree("foo"), Map.of("/v1, Kind=Secret, ns1/vsphere-credentials", TREE_DELETED))),
                new Deletion("AWS: an AWSClusterStaticIdentity and its Secret in capa-system are copied and not deleted",
                        "foo", ObjectGraphTest::awsClustersSharingAStaticIdentity, decisions(awsTree("foo"), Map.of(
                        "infrastructure.cluster.x-k8s.io/v1beta2, Kind=AWSClusterStaticIdentity, team-aws", USED_KEPT,
                        "/v1, Kind=Secret, capa-system/team-aws-credentials", USED_KEPT))),
                new Deletion("Azure: the AzureClusterIdentity pivotplane renders for the cluster moves and is deleted,"
                        + " the client Secret it names is copied and kept", "foo",
                        ObjectGraphTest::azureClustersWithTheirIdentities, decisions(azureTree("foo"), Map.of(
                        "infrastructure.cluster.x-k8s.io/v1beta1, Kind=AzureClusterIdentity, ns1/foo-identity",
                        FORCED_DELETED,
                        "/v1, Kind=Secret, ns1/azure-credentials", USED_KEPT))),
                new Deletion("Azure: a shared AzureClusterIdentity and the client Secret it names are both copied and"
                        + " kept: references are followed from what is used too", "foo", () -> {
                            List<FakeObject> objs = new FakeCluster(NS, "foo").withInfrastructure(INFRASTRUCTURE,
                                    "AzureCluster").objs();
                            FakeObject credentials = secret(NS, "azure-credentials");
                            FakeObject identity = new FakeObject(INFRASTRUCTURE, "AzureClusterIdentity", NS, "shared")
                                    .uses(credentials, "spec.clientSecret");
                            find(objs, "AzureCluster", "foo").uses(identity, "spec.identityRef");
                            return all(objs, List.of(identity, credentials));
                        }, decisions(azureTree("foo"), Map.of(
                        "infrastructure.cluster.x-k8s.io/v1beta1, Kind=AzureClusterIdentity, ns1/shared", USED_KEPT,
                        "/v1, Kind=Secret, ns1/azure-credentials", USED_KEPT))),
                new Deletion("GCP: the credentials Secret the GCPCluster names is copied and kept", "foo", () -> {
                    List<FakeObject> objs = new FakeCluster(NS, "foo").withInfrastructure(INFRASTRUCTURE, "GCPCluster")
                            .objs();
                    FakeObject credentials = secret(NS, "gcp-credentials");
                    find(objs, "GCPCluster", "foo").uses(credentials, "spec.credentialsRef");
                    return all(objs, List.of(credentials));
                }, decisions(providerTree("foo", INFRASTRUCTURE, "GCPCluster"), Map.of(
                        "/v1, Kind=Secret, ns1/gcp-credentials", USED_KEPT))),
                new Deletion("pivotplane's desired-spec ConfigMap, force-moved and labelled for the cluster, moves",
                        "foo", () -> all(new FakeCluster(NS, "foo").objs(), List.of(
                        configMap(NS, "foo-pivotplane-spec").clusterLabel("foo").label(Capi.MOVE_LABEL, ""),
                        configMap(NS, "bar-pivotplane-spec").clusterLabel("bar").label(Capi.MOVE_LABEL, ""))),
                        decisions(tree("foo"), Map.of("/v1, Kind=ConfigMap, ns1/foo-pivotplane-spec", FORCED_DELETED))),
                new Deletion("an object of a kind that is not a discovery type is as if not read: it is not moved", "foo", () -> {
                    List<FakeObject> objs = new FakeCluster(NS, "foo").objs();
                    return all(objs, List.of(new FakeObject("example.com/v1", "Widget", NS, "w")
                            .ownedBy(find(objs, "Cluster", "foo")).clusterLabel("foo")));
                }, decisions(tree("foo"), Map.of())));
    }

    static Map<String, String> decisions(Map<String, Selection> tree, Map<String, String> more) {
        Map<String, String> decisions = new LinkedHashMap<>();
        tree.forEach((uid, selection) -> decisions.put(uid, selection + " deleted"));
        decisions.putAll(more);
        return decisions;
    }

    static String decision(PlannedObject object) {
        return object.selection() + (object.deleteFromSource() ? " deleted" : " kept")
                + (object.keepIfExists() ? ", keep existing" : "");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deletions")
    void decidesWhatLeavesTheSource(Deletion row) {
        MovePlan plan = plan(row.objects().get(), row.cluster());

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.objects().stream().collect(Collectors.toMap(o -> o.identity().uid(), ObjectGraphTest::decision)))
                .isEqualTo(row.decisions());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // What a plan reports instead of dropping: owners that would dangle, cycles, references it cannot follow; and
    // clusterctl's TestWaitReadyForMove rows, as what blocks.

    record Problems(String name, String cluster, Supplier<List<FakeObject>> objects, List<String> problems,
                    List<String> blocking) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Problems> problems() {
        return Stream.of(
                new Problems("a Machine owned by a MachineSet that is not in the plan is a problem", "foo", () -> {
                    List<FakeObject> objs = new FakeCluster(NS, "foo").withMachines(new FakeMachine("m1")).objs();
                    FakeObject orphanSet = new FakeObject(CLUSTER_API, "MachineSet", NS, "bar");
                    find(objs, "Machine", "m1").controlledBy(orphanSet);
                    return all(objs, List.of(orphanSet));
                }, List.of("Machine ns1/m1 is owned by MachineSet ns1/bar, which is not moved"), List.of()),
                new Problems("a Machine owned by another cluster's MachineSet too", "foo", () -> {
                    List<FakeObject> foo = new FakeCluster(NS, "foo").withMachines(new FakeMachine("m1")).objs();
                    List<FakeObject> bar = new FakeCluster(NS, "bar").withMachineSets(new FakeMachineSet("bar-ms"))
                            .objs();
                    find(foo, "Machine", "m1").controlledBy(find(bar, "MachineSet", "bar-ms"));
                    return all(foo, bar);
                }, List.of("Machine ns1/m1 is owned by MachineSet ns1/bar-ms, which is not moved (it belongs to"
                        + " Cluster ns1/bar)"), List.of()),
                new Problems("an owner that was not read stays virtual, and its dependent cannot move", "foo", () -> {
                    List<FakeObject> objs = new FakeCluster(NS, "foo").withMachines(new FakeMachine("m1")).objs();
                    find(objs, "Machine", "m1").controlledBy(new FakeObject(CLUSTER_API, "MachineSet", NS, "gone"));
                    return objs;
                }, List.of("Machine ns1/m1 is owned by MachineSet gone, which is not moved (it was not found)"),
                        List.of()),
                new Problems("a kind that is not a discovery type stays virtual, and what it owns cannot move", "foo",
                        () -> {
                            List<FakeObject> objs = new FakeCluster(NS, "foo").withMachines(new FakeMachine("m1")).objs();
                            FakeObject widget = new FakeObject("example.com/v1", "Widget", NS, "w")
                                    .ownedBy(find(objs, "Cluster", "foo"));
                            find(objs, "GenericInfrastructureMachine", "m1").ownedBy(widget);
                            return all(objs, List.of(widget));
                        }, List.of("GenericInfrastructureMachine ns1/m1 is owned by Widget w, which is not moved"
                        + " (Widget is not a kind discovery reads)"), List.of()),
                new Problems("owner references that form a cycle", "foo", () -> {
                    List<FakeObject> objs = new FakeCluster(NS, "foo").objs();
                    FakeObject a = infrastructureMachineTemplate(NS, "a").ownedBy(find(objs, "Cluster", "foo"));
                    FakeObject b = infrastructureMachineTemplate(NS, "b").ownedBy(a);
                    a.ownedBy(b);
                    return all(objs, List.of(a, b));
                }, List.of("owner references form a cycle: GenericInfrastructureMachineTemplate ns1/a,"
                        + " GenericInfrastructureMachineTemplate ns1/b cannot be ordered"), List.of()),
                new Problems("the Cluster is not among the objects read", "foo", () -> new FakeCluster(NS, "bar").objs(),
                        List.of("Cluster ns1/foo is not among the objects read: there is nothing to move"), List.of()),
                new Problems("an identity that is not among the objects read", "foo", () -> {
                    List<FakeObject> objs = new FakeCluster(NS, "foo").withInfrastructure(AWS, "AWSCluster").objs();
                    find(objs, "AWSCluster", "foo").uses(new FakeObject(AWS, "AWSClusterStaticIdentity", null,
                            "missing"), "spec.identityRef");
                    return objs;
                }, List.of("AWSCluster ns1/foo uses AWSClusterStaticIdentity missing (spec.identityRef), which cannot"
                        + " be moved: it is not among the objects read"), List.of()),
                new Problems("a Secret in a provider's namespace that is not known", "foo", () -> {
                    List<FakeObject> objs = awsClustersSharingAStaticIdentity();
                    find(objs, "AWSClusterStaticIdentity", "team-aws").references.set(0, new GraphObject.Reference(
                            "v1", "Secret", null, "team-aws-credentials", "spec.secretRef, in the namespace of provider aws"));
                    return objs;
                }, List.of("AWSClusterStaticIdentity team-aws uses Secret ?/team-aws-credentials (spec.secretRef, in"
                        + " the namespace of provider aws), which cannot be moved: its namespace is not known"), List.of()),
                new Problems("an object that uses what another cluster owns", "foo", () -> {
                    List<FakeObject> foo = new FakeCluster(NS, "foo").withInfrastructure(INFRASTRUCTURE, "VSphereCluster")
                            .objs();
                    List<FakeObject> bar = new FakeCluster(NS, "bar").withInfrastructure(INFRASTRUCTURE, "VSphereCluster")
                            .objs();
                    FakeObject credentials = secret(NS, "vsphere-credentials").ownedBy(find(bar, "VSphereCluster", "bar"));
                    find(foo, "VSphereCluster", "foo").uses(credentials, "spec.identityRef");
                    return all(foo, bar, List.of(credentials));
                }, List.of("VSphereCluster ns1/foo uses Secret ns1/vsphere-credentials (spec.identityRef), which"
                        + " belongs to Cluster ns1/bar and is not moved"), List.of()),
                new Problems("moving blocked cluster should fail", "foo", () -> {
                    List<FakeObject> objs = new FakeCluster(NS, "foo").objs();
                    find(objs, "Cluster", "foo").annotate(Capi.BLOCK_MOVE_ANNOTATION);
                    return objs;
                }, List.of(), List.of("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo")),
                new Problems("moving unblocked cluster should succeed", "foo", () -> new FakeCluster(NS, "foo").objs(),
                        List.of(), List.of()),
                new Problems("a block-move annotation below the cluster blocks too; one on another cluster does not",
                        "foo", () -> {
                            List<FakeObject> foo = new FakeCluster(NS, "foo").objs();
                            List<FakeObject> bar = new FakeCluster(NS, "bar").objs();
                            find(foo, "GenericInfrastructureCluster", "foo").annotate(Capi.BLOCK_MOVE_ANNOTATION);
                            find(bar, "GenericInfrastructureCluster", "bar").annotate(Capi.BLOCK_MOVE_ANNOTATION);
                            return all(foo, bar);
                        }, List.of(),
                        List.of("infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/foo")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void reportsWhatKeepsThePlanFromBeingCarriedOut(Problems row) {
        MovePlan plan = plan(row.objects().get(), row.cluster());

        assertThat(plan.problems()).containsExactlyInAnyOrderElementsOf(row.problems());
        assertThat(plan.blocking()).extracting(ObjectIdentity::uid).containsExactlyElementsOf(row.blocking());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // util/secret's TestParseSecretName: which Secrets a Cluster soft-owns by name.

    record SecretName(String name, String secret, String cluster) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<SecretName> secretNames() {
        return Stream.of(
                new SecretName("A secret for the test cluster", "test-kubeconfig", "test"),
                new SecretName("A secret for the test-capa cluster (cluster name with - in the middle)", "test-capa-ca",
                        "test-capa"),
                new SecretName("Not a Cluster API secret", "foo", null),
                new SecretName("Not a Cluster API secret (secret name with - in the middle)", "foo-bar", null),
                new SecretName("every purpose of util/secret: etcd", "foo-etcd", "foo"),
                new SecretName("every purpose of util/secret: sa", "foo-sa", "foo"),
                new SecretName("every purpose of util/secret: proxy", "foo-proxy", "foo"),
                new SecretName("apiserver-etcd-client is a purpose upstream cannot parse: it splits at the last dash",
                        "foo-apiserver-etcd-client", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secretNames")
    void parsesSecretNamesAsUtilSecretDoes(SecretName row) {
        assertThat(ObjectGraph.parseSecretClusterName(row.secret())).isEqualTo(row.cluster());
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void rebuildsOwnerReferencesWithTheirAttributesAsRead() {
        MovePlan plan = plan(new FakeCluster(NS, "cluster1").withControlPlane(new FakeControlPlane("cp1")).objs(),
                "cluster1");

        assertThat(planned(plan, "/v1, Kind=Secret, ns1/cluster1-kubeconfig").owners()).containsExactly(
                new GraphObject.Owner("controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlane, ns1/cp1",
                        "controlplane.cluster.x-k8s.io/v1beta1", "GenericControlPlane", "cp1", true, true));
        assertThat(planned(plan, "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlane, ns1/cp1").owners())
                .containsExactly(new GraphObject.Owner("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/cluster1",
                        CLUSTER_API, "Cluster", "cluster1", null, null));
    }

    @Test
    void deletesGroupByGroupFromTheLastAndOnlyWhatLeavesTheSource() {
        MovePlan plan = plan(awsClustersSharingAStaticIdentity(), "foo");

        List<String> order = plan.deletionOrder().stream().map(o -> o.identity().uid()).toList();
        assertThat(order).doesNotContain("infrastructure.cluster.x-k8s.io/v1beta2, Kind=AWSClusterStaticIdentity, team-aws",
                "/v1, Kind=Secret, capa-system/team-aws-credentials");
        assertThat(order).last().isEqualTo("cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo");
        assertThat(order).hasSize(4);
    }

    @Test
    void readsSecretsAndConfigMapsEvenWhenTheTypesLeaveThemOut() {
        MovePlan plan = ObjectGraph.plan(List.of(FakeObjects.namespaced(CLUSTER_API, "Cluster"),
                FakeObjects.namespaced(INFRASTRUCTURE, "GenericInfrastructureCluster")),
                FakeObjects.read(new FakeCluster(NS, "foo").objs()), NS, "foo");

        assertThat(uids(plan.objects())).contains("/v1, Kind=Secret, ns1/foo-ca", "/v1, Kind=Secret, ns1/foo-kubeconfig");
    }

    @Test
    void saysWhyEachObjectIsPlannedAndWhyItStays() {
        MovePlan plan = plan(azureClustersWithTheirIdentities(), "foo");

        assertThat(planned(plan, "/v1, Kind=Secret, ns1/azure-credentials")).satisfies(secret -> {
            assertThat(secret.why()).isEqualTo("used by AzureClusterIdentity ns1/foo-identity (spec.clientSecret)");
            assertThat(secret.deletion()).contains("shared credentials and identities are copied");
        });
        assertThat(planned(plan, "infrastructure.cluster.x-k8s.io/v1beta1, Kind=AzureClusterIdentity, ns1/foo-identity")
                .why()).isEqualTo("force-moved and labelled cluster.x-k8s.io/cluster-name=foo");
        assertThat(planned(plan, "cluster.x-k8s.io/v1beta1, Kind=Cluster, ns1/foo").deletion())
                .isEqualTo("moved with Cluster ns1/foo");
        assertThat(planned(plan, "infrastructure.cluster.x-k8s.io/v1beta1, Kind=AzureCluster, ns1/foo").why())
                .isEqualTo("in Cluster ns1/foo's tree (owner references and soft ownership)");
    }

    @Test
    void saysWhichClusterStillUsesAClassThatStays() {
        List<FakeObject> objects = twoClustersSharingOneClusterClass();
        find(objects, "ClusterClass", "class1").clusterLabel("foo1");

        MovePlan plan = plan(objects, "foo1");

        assertThat(planned(plan, "controlplane.cluster.x-k8s.io/v1beta1, Kind=GenericControlPlaneTemplate, ns1/class1"))
                .satisfies(template -> {
                    assertThat(template.why()).isEqualTo("below ClusterClass ns1/class1, force-moved and labelled"
                            + " cluster.x-k8s.io/cluster-name=foo1");
                    assertThat(template.deletion()).isEqualTo("ClusterClass ns1/class1 is used by Cluster ns1/foo2,"
                            + " which is not moved");
                });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fixtures shared by several tables.

    static List<FakeObject> twoClustersWithASharedObject() {
        FakeObject shared = infrastructureTemplate("shared");
        return all(new FakeCluster(NS, "cluster1").withMachineSets(new FakeMachineSet("cluster1-ms1")
                        .withInfrastructureTemplate(shared).withMachines(new FakeMachine("cluster1-m1"))).objs(),
                new FakeCluster(NS, "cluster2").withMachineSets(new FakeMachineSet("cluster2-ms1")
                        .withInfrastructureTemplate(shared).withMachines(new FakeMachine("cluster2-m1"))).objs(),
                List.of(shared));
    }

    static List<FakeObject> clusterResourceSetAppliedTo(String... clusters) {
        List<FakeObject> objs = new ArrayList<>();
        for (String cluster : clusters) {
            objs.addAll(new FakeCluster(NS, cluster).objs());
        }
        FakeClusterResourceSet set = new FakeClusterResourceSet(NS, "crs1").withSecret("resource-s1")
                .withConfigMap("resource-c1");
        for (String cluster : clusters) {
            set.applyToCluster(cluster);
        }
        objs.addAll(set.objs());
        return objs;
    }

    static List<FakeObject> twoClustersSharingOneClusterClass() {
        return all(new FakeClusterClass(NS, "class1").objs(),
                new FakeCluster(NS, "foo1").withTopologyClass("class1").objs(),
                new FakeCluster(NS, "foo2").withTopologyClass("class1").objs());
    }

    static List<FakeObject> twoClusterClassesWithSharedTemplates() {
        FakeObject infrastructure1 = infrastructureMachineTemplate(NS, "infamachinetemplate1");
        FakeObject bootstrap1 = bootstrapTemplate(NS, "bootstraptemplate1");
        FakeObject infrastructure2 = infrastructureMachineTemplate(NS, "infamachinetemplate2");
        FakeObject bootstrap2 = bootstrapTemplate(NS, "bootstraptemplate2");
        FakeObject controlPlane = controlPlaneTemplate(NS, "controlplanetemplate1");
        FakeMachineDeploymentClass mdClass1 = new FakeMachineDeploymentClass(NS, "mdclass1")
                .withInfrastructureMachineTemplate(infrastructure1).withBootstrapTemplate(bootstrap1);
        FakeMachineDeploymentClass mdClass2 = new FakeMachineDeploymentClass(NS, "mdclass2")
                .withInfrastructureMachineTemplate(infrastructure1).withBootstrapTemplate(bootstrap1);
        FakeMachineDeploymentClass mdClass3 = new FakeMachineDeploymentClass(NS, "mdclass2")
                .withInfrastructureMachineTemplate(infrastructure2).withBootstrapTemplate(bootstrap2);
        return all(new FakeClusterClass(NS, "clusterclass1").withControlPlaneTemplate(controlPlane)
                        .withWorkerMachineDeploymentClasses(mdClass1, mdClass2).objs(),
                new FakeClusterClass(NS, "clusterclass2").withControlPlaneTemplate(controlPlane)
                        .withWorkerMachineDeploymentClasses(mdClass1, mdClass3).objs(),
                new FakeCluster(NS, "foo").withTopologyClass("clusterclass1").objs());
    }

    /** clusterctl's global identity with its Secret, used by the cluster's infrastructure as a provider's would be. */
    static List<FakeObject> clusterUsingGlobalIdentity() {
        List<FakeObject> foo = new FakeCluster(NS, "foo").objs();
        List<FakeObject> identity = clusterInfrastructureIdentity("infra1-identity", "infra1-system");
        find(foo, "GenericInfrastructureCluster", "foo").uses(identity.get(0), "spec.identityRef");
        return all(foo, identity);
    }

    /** CAPA: two clusters use one static identity, which owns its Secret in capa-system (pkg/cloud/scope/session.go). */
    static List<FakeObject> awsClustersSharingAStaticIdentity() {
        FakeObject identity = new FakeObject(AWS, "AWSClusterStaticIdentity", null, "team-aws");
        FakeObject credentials = secret("capa-system", "team-aws-credentials").ownedBy(identity);
        identity.uses(credentials, "spec.secretRef");
        List<FakeObject> foo = new FakeCluster(NS, "foo").withInfrastructure(AWS, "AWSCluster").objs();
        List<FakeObject> bar = new FakeCluster(NS, "bar").withInfrastructure(AWS, "AWSCluster").objs();
        find(foo, "AWSCluster", "foo").uses(identity, "spec.identityRef");
        find(bar, "AWSCluster", "bar").uses(identity, "spec.identityRef");
        return all(foo, bar, List.of(identity, credentials));
    }

    /**
     * pivotplane's Azure clusters: each with its own AzureClusterIdentity, labelled for the cluster and
     * move-hierarchy (AzureRenderer), naming one client Secret of the project on which CAPZ sets no owner.
     */
    static List<FakeObject> azureClustersWithTheirIdentities() {
        FakeObject credentials = secret(NS, "azure-credentials");
        List<FakeObject> objs = new ArrayList<>(List.of(credentials));
        for (String cluster : List.of("foo", "bar")) {
            List<FakeObject> clusterObjs = new FakeCluster(NS, cluster).withInfrastructure(INFRASTRUCTURE, "AzureCluster")
                    .objs();
            FakeObject identity = new FakeObject(INFRASTRUCTURE, "AzureClusterIdentity", NS, cluster + "-identity")
                    .clusterLabel(cluster).label(Capi.MOVE_HIERARCHY_LABEL, "true").uses(credentials, "spec.clientSecret");
            find(clusterObjs, "AzureCluster", cluster).uses(identity, "spec.identityRef");
            objs.addAll(clusterObjs);
            objs.add(identity);
        }
        return objs;
    }

    /** CAPV sets the VSphereCluster as owner of the identity Secret it names (vspherecluster_reconciler.go). */
    static List<FakeObject> vsphereClusterOwningItsIdentitySecret() {
        List<FakeObject> objs = new FakeCluster(NS, "foo").withInfrastructure(INFRASTRUCTURE, "VSphereCluster").objs();
        FakeObject vsphereCluster = find(objs, "VSphereCluster", "foo");
        FakeObject credentials = secret(NS, "vsphere-credentials").ownedBy(vsphereCluster);
        vsphereCluster.uses(credentials, "spec.identityRef");
        return all(objs, List.of(credentials));
    }

    static Map<String, Selection> providerTree(String cluster, String apiVersion, String kind) {
        Map<String, Selection> tree = new LinkedHashMap<>(tree(cluster));
        tree.remove("infrastructure.cluster.x-k8s.io/v1beta1, Kind=GenericInfrastructureCluster, ns1/" + cluster);
        tree.put(FakeObjects.uid(apiVersion, kind, NS, cluster), CLUSTER_TREE);
        return tree;
    }

    static Map<String, Selection> awsTree(String cluster) {
        return providerTree(cluster, AWS, "AWSCluster");
    }

    static Map<String, Selection> azureTree(String cluster) {
        return providerTree(cluster, INFRASTRUCTURE, "AzureCluster");
    }

    static Map<String, Selection> vsphereTree(String cluster) {
        return providerTree(cluster, INFRASTRUCTURE, "VSphereCluster");
    }

    static PlannedObject planned(MovePlan plan, String uid) {
        return plan.objects().stream().filter(object -> object.identity().uid().equals(uid)).findFirst()
                .orElseThrow(() -> new AssertionError(uid + " is not planned: " + uids(plan.objects())));
    }

    static List<String> uids(List<PlannedObject> objects) {
        return objects.stream().map(object -> object.identity().uid()).toList();
    }
}
