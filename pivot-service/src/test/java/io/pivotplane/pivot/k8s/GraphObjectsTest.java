package io.pivotplane.pivot.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.pivot.domain.DiscoveryType;
import io.pivotplane.pivot.domain.GraphObject;
import io.pivotplane.pivot.domain.GraphObject.Reference;
import io.pivotplane.pivot.domain.MovePlan;
import io.pivotplane.pivot.domain.MovePlan.PlannedObject;
import io.pivotplane.pivot.domain.ObjectGraph;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What the object graph reads of fabric8's objects and CRDs, on objects shaped as the providers' own docs show them. */
class GraphObjectsTest {

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    static final Map<String, String> PROVIDER_NAMESPACES = Map.of("aws", "capa-system", "azure", "capz-system",
            "gcp", "capg-system", "vsphere", "capv-system", "maas", "capmaas-system");

    static HasMetadata parse(String yaml) {
        return SERIALIZATION.unmarshal(yaml);
    }

    static List<HasMetadata> parseAll(String yaml) {
        return Arrays.stream(yaml.split("(?m)^---$")).filter(doc -> !doc.isBlank()).map(GraphObjectsTest::parse)
                .toList();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // clusterctl's TestObjectGraph_getDiscoveryTypeMetaList, on CRDs.

    record CrdType(String name, CustomResourceDefinition crd, DiscoveryType type) {

        @Override
        public String toString() {
            return name;
        }
    }

    static CustomResourceDefinition crd(String group, String kind, String scope, List<String> versions,
                                        String storage, String... labels) {
        CustomResourceDefinitionBuilder crd = new CustomResourceDefinitionBuilder().withNewMetadata()
                .withName(kind.toLowerCase() + "s." + group).addToLabels("clusterctl.cluster.x-k8s.io", "")
                .endMetadata().withNewSpec().withGroup(group).withScope(scope).withNewNames().withKind(kind)
                .withPlural(kind.toLowerCase() + "s").endNames().endSpec();
        for (String label : labels) {
            crd.editMetadata().addToLabels(label, "").endMetadata();
        }
        List<CustomResourceDefinitionVersion> crdVersions = new ArrayList<>();
        for (String version : versions) {
            crdVersions.add(new CustomResourceDefinitionVersionBuilder().withName(version)
                    .withStorage(version.equals(storage)).withServed(true).build());
        }
        return crd.editSpec().withVersions(crdVersions).endSpec().build();
    }

    static CustomResourceDefinition bundled(String name) {
        return CapiCrds.all().stream().filter(crd -> crd.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow();
    }

    static Stream<CrdType> crdTypes() {
        return Stream.of(
                new CrdType("Return CRDs: a namespaced kind with neither label moves only with an owner",
                        bundled("machines.cluster.x-k8s.io"),
                        new DiscoveryType("cluster.x-k8s.io/v1beta1", "Machine", "machines", false, false, false)),
                new CrdType("Enforce force move for Cluster", bundled("clusters.cluster.x-k8s.io"),
                        new DiscoveryType("cluster.x-k8s.io/v1beta1", "Cluster", "clusters", false, true, true)),
                new CrdType("Enforce force move for ClusterResourceSet",
                        bundled("clusterresourcesets.addons.cluster.x-k8s.io"), new DiscoveryType(
                        "addons.cluster.x-k8s.io/v1beta1", "ClusterResourceSet", "clusterresourcesets", false, true,
                        true)),
                new CrdType("Enforce force move for ClusterClass", crd("cluster.x-k8s.io", "ClusterClass",
                        "Namespaced", List.of("v1beta1"), "v1beta1"), new DiscoveryType("cluster.x-k8s.io/v1beta1",
                        "ClusterClass", "clusterclasss", false, true, true)),
                new CrdType("Identified Cluster scoped types", crd("infrastructure.cluster.x-k8s.io",
                        "GenericClusterInfrastructureIdentity", "Cluster", List.of("v1beta1"), "v1beta1"),
                        new DiscoveryType("infrastructure.cluster.x-k8s.io/v1beta1",
                                "GenericClusterInfrastructureIdentity", "genericclusterinfrastructureidentitys", true,
                                false, false)),
                new CrdType("Identified force move label", crd("external.cluster.x-k8s.io", "GenericExternalObject",
                        "Namespaced", List.of("v1beta1"), "v1beta1", Capi.MOVE_LABEL), new DiscoveryType(
                        "external.cluster.x-k8s.io/v1beta1", "GenericExternalObject", "genericexternalobjects", false,
                        true, false)),
                new CrdType("Identified force move hierarchy label", crd("infrastructure.cluster.x-k8s.io",
                        "GenericClusterInfrastructureIdentity", "Cluster", List.of("v1beta1"), "v1beta1",
                        Capi.MOVE_HIERARCHY_LABEL), new DiscoveryType("infrastructure.cluster.x-k8s.io/v1beta1",
                        "GenericClusterInfrastructureIdentity", "genericclusterinfrastructureidentitys", true, true,
                        true)),
                // CAPA's identity CRDs: two versions, v1beta2 stored, labelled by
                // config/crd/patches/label_in_awsclusterstaticidentities.yaml
                new CrdType("CAPA's AWSClusterStaticIdentity: the storage version, cluster-scoped, move-hierarchy",
                        crd("infrastructure.cluster.x-k8s.io", "AWSClusterStaticIdentity", "Cluster",
                                List.of("v1beta1", "v1beta2"), "v1beta2", Capi.MOVE_HIERARCHY_LABEL),
                        new DiscoveryType("infrastructure.cluster.x-k8s.io/v1beta2", "AWSClusterStaticIdentity",
                                "awsclusterstaticidentitys", true, true, true)),
                new CrdType("CAPZ's AzureClusterIdentity as bundled: namespaced, no label",
                        bundled("azureclusteridentities.infrastructure.cluster.x-k8s.io"), new DiscoveryType(
                        "infrastructure.cluster.x-k8s.io/v1beta1", "AzureClusterIdentity", "azureclusteridentities",
                        false, false, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crdTypes")
    void readsACrdAsClusterctlsGetDiscoveryTypesDoes(CrdType row) {
        assertThat(GraphObjects.of(row.crd())).isEqualTo(row.type());
    }

    @Test
    void refusesACrdWithoutAStorageVersion() {
        CustomResourceDefinition crd = crd("example.com", "Widget", "Namespaced", List.of("v1"), "none");

        assertThatThrownBy(() -> GraphObjects.of(crd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("widgets.example.com has no storage version");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The objects each object uses by name, from the providers' API types at pivotplane's versions.

    record References(String name, String yaml, Map<String, String> providerNamespaces, List<Reference> references) {

        References(String name, String yaml, List<Reference> references) {
            this(name, yaml, PROVIDER_NAMESPACES, references);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<References> references() {
        return Stream.of(
                new References("CAPA AWSCluster with a static identity", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
                        kind: AWSCluster
                        metadata: {name: edge, namespace: team-a, uid: u1}
                        spec:
                          region: eu-west-1
                          identityRef: {kind: AWSClusterStaticIdentity, name: test-account}
                        """, List.of(new Reference("infrastructure.cluster.x-k8s.io/v1beta2",
                        "AWSClusterStaticIdentity", "", "test-account", "spec.identityRef"))),
                new References("CAPA AWSCluster with the controller identity its webhook defaults", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
                        kind: AWSCluster
                        metadata: {name: edge, namespace: team-a, uid: u1}
                        spec:
                          identityRef: {kind: AWSClusterControllerIdentity, name: default}
                        """, List.of(new Reference("infrastructure.cluster.x-k8s.io/v1beta2",
                        "AWSClusterControllerIdentity", "", "default", "spec.identityRef"))),
                new References("CAPA AWSClusterRoleIdentity chained to a source identity", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
                        kind: AWSClusterRoleIdentity
                        metadata: {name: prod-role, uid: u2}
                        spec:
                          roleARN: arn:aws:iam::123456789:role/CAPARole
                          sourceIdentityRef: {kind: AWSClusterControllerIdentity, name: default}
                        """, List.of(new Reference("infrastructure.cluster.x-k8s.io/v1beta2",
                        "AWSClusterControllerIdentity", "", "default", "spec.sourceIdentityRef"))),
                new References("CAPA AWSClusterStaticIdentity: its Secret in CAPA's namespace", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: AWSClusterStaticIdentity
                        metadata: {name: test-account, uid: u3}
                        spec:
                          secretRef: test-account-creds
                          allowedNamespaces: {selector: {matchLabels: {cluster.x-k8s.io/ns: testlabel}}}
                        """, List.of(new Reference("v1", "Secret", "capa-system", "test-account-creds",
                        "spec.secretRef, in the namespace of provider aws"))),
                new References("CAPA AWSClusterStaticIdentity when CAPA's namespace is not known", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
                        kind: AWSClusterStaticIdentity
                        metadata: {name: test-account, uid: u3}
                        spec: {secretRef: test-account-creds}
                        """, Map.of(), List.of(new Reference("v1", "Secret", null, "test-account-creds",
                        "spec.secretRef, in the namespace of provider aws"))),
                new References("CAPA AWSClusterControllerIdentity uses nothing", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
                        kind: AWSClusterControllerIdentity
                        metadata: {name: default, uid: u4}
                        spec: {allowedNamespaces: {}}
                        """, List.of()),
                new References("CAPZ AzureCluster: its identity in its own namespace when the reference names none",
                        """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: AzureCluster
                        metadata: {name: edge, namespace: team-a, uid: u5}
                        spec:
                          identityRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: AzureClusterIdentity, name: edge-identity}
                          location: westeurope
                        """, List.of(new Reference("infrastructure.cluster.x-k8s.io/v1beta1", "AzureClusterIdentity",
                        "team-a", "edge-identity", "spec.identityRef"))),
                new References("CAPZ AzureCluster: an identity in another namespace", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: AzureCluster
                        metadata: {name: edge, namespace: team-a, uid: u5}
                        spec:
                          identityRef: {kind: AzureClusterIdentity, name: shared, namespace: identities}
                        """, List.of(new Reference("infrastructure.cluster.x-k8s.io/v1beta1", "AzureClusterIdentity",
                        "identities", "shared", "spec.identityRef"))),
                new References("CAPZ AzureClusterIdentity of a service principal: its client Secret", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: AzureClusterIdentity
                        metadata:
                          name: edge-identity
                          namespace: team-a
                          uid: u6
                          labels: {clusterctl.cluster.x-k8s.io/move-hierarchy: "true"}
                        spec:
                          type: ServicePrincipal
                          allowedNamespaces: {}
                          clientID: 00000000-0000-0000-0000-000000000000
                          clientSecret: {name: azure-sp, namespace: team-a}
                          tenantID: 00000000-0000-0000-0000-000000000001
                        """, List.of(new Reference("v1", "Secret", "team-a", "azure-sp", "spec.clientSecret"))),
                new References("CAPZ AzureClusterIdentity of a workload identity uses no Secret", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: AzureClusterIdentity
                        metadata: {name: edge-identity, namespace: team-a, uid: u6}
                        spec: {type: WorkloadIdentity, clientID: c, tenantID: t, allowedNamespaces: {}}
                        """, List.of()),
                new References("CAPV VSphereCluster with a Secret identity, in its namespace", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: VSphereCluster
                        metadata: {name: edge, namespace: team-a, uid: u7}
                        spec:
                          controlPlaneEndpoint: {host: 10.0.0.10, port: 6443}
                          identityRef: {kind: Secret, name: vsphere-credentials}
                          server: vcenter.example.com
                        """, List.of(new Reference("v1", "Secret", "team-a", "vsphere-credentials", "spec.identityRef"))),
                new References("CAPV VSphereCluster with a VSphereClusterIdentity", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: VSphereCluster
                        metadata: {name: edge, namespace: team-a, uid: u7}
                        spec:
                          identityRef: {kind: VSphereClusterIdentity, name: identityName}
                        """, List.of(new Reference("infrastructure.cluster.x-k8s.io/v1beta1", "VSphereClusterIdentity",
                        "", "identityName", "spec.identityRef"))),
                new References("CAPV VSphereClusterIdentity: its Secret in CAPV's namespace", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: VSphereClusterIdentity
                        metadata: {name: identityName, uid: u8}
                        spec:
                          secretName: secretName
                          allowedNamespaces: {selector: {matchLabels: {}}}
                        """, List.of(new Reference("v1", "Secret", "capv-system", "secretName",
                        "spec.secretName, in the namespace of provider vsphere"))),
                new References("CAPG GCPCluster: its credentials Secret", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: GCPCluster
                        metadata: {name: edge, namespace: team-a, uid: u9}
                        spec:
                          project: my-project
                          region: europe-west1
                          credentialsRef: {name: gcp-credentials, namespace: team-a}
                        """, List.of(new Reference("v1", "Secret", "team-a", "gcp-credentials", "spec.credentialsRef"))),
                new References("CAPMAAS MAASCluster uses nothing", """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: MAASCluster
                        metadata: {name: edge, namespace: team-a, uid: u10}
                        spec: {dnsDomain: maas.example.com}
                        """, List.of()),
                new References("a Cluster of a ClusterClass in another namespace", """
                        apiVersion: cluster.x-k8s.io/v1beta1
                        kind: Cluster
                        metadata: {name: edge, namespace: team-a, uid: u11}
                        spec:
                          topology: {class: quick-start, classNamespace: classes, version: v1.31.0}
                        """, List.of(new Reference("cluster.x-k8s.io/v1beta1", "ClusterClass", "classes", "quick-start",
                        "spec.topology.class"))),
                new References("a Cluster of a ClusterClass in its own namespace", """
                        apiVersion: cluster.x-k8s.io/v1beta1
                        kind: Cluster
                        metadata: {name: edge, namespace: team-a, uid: u11}
                        spec:
                          topology: {class: quick-start, version: v1.31.0}
                        """, List.of(new Reference("cluster.x-k8s.io/v1beta1", "ClusterClass", "team-a", "quick-start",
                        "spec.topology.class"))),
                new References("a ClusterResourceSetBinding: the sets that own it", """
                        apiVersion: addons.cluster.x-k8s.io/v1beta1
                        kind: ClusterResourceSetBinding
                        metadata: {name: edge, namespace: team-a, uid: u12}
                        spec:
                          clusterName: edge
                          bindings:
                          - clusterResourceSetName: crs1
                            resources: [{kind: Secret, name: resource-s1, applied: true}]
                          - clusterResourceSetName: crs2
                        """, List.of(
                        new Reference("addons.cluster.x-k8s.io/v1beta1", "ClusterResourceSet", "team-a", "crs1",
                                "spec.bindings[].clusterResourceSetName"),
                        new Reference("addons.cluster.x-k8s.io/v1beta1", "ClusterResourceSet", "team-a", "crs2",
                                "spec.bindings[].clusterResourceSetName"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void readsWhatEachProviderObjectUsesByName(References row) {
        GraphObject read = GraphObjects.of(parse(row.yaml()), row.providerNamespaces());

        assertThat(read.references()).containsExactlyElementsOf(row.references());
    }

    @Test
    void readsIdentityOwnersLabelsAnnotationsAndTheBindingsCluster() {
        GraphObject secret = GraphObjects.of(parse("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: edge-kubeconfig
                  namespace: team-a
                  uid: s1
                  labels: {cluster.x-k8s.io/cluster-name: edge}
                  annotations: {clusterctl.cluster.x-k8s.io/block-move: "", note: x}
                  ownerReferences:
                  - {apiVersion: controlplane.cluster.x-k8s.io/v1beta1, kind: KubeadmControlPlane, name: edge, uid: k1, controller: true, blockOwnerDeletion: true}
                  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: edge, uid: c1}
                """), PROVIDER_NAMESPACES);
        GraphObject binding = GraphObjects.of(parse("""
                apiVersion: addons.cluster.x-k8s.io/v1beta1
                kind: ClusterResourceSetBinding
                metadata: {name: edge, namespace: team-a, uid: b1}
                spec: {clusterName: edge}
                """), PROVIDER_NAMESPACES);

        assertThat(secret.identity()).hasToString("Secret team-a/edge-kubeconfig");
        assertThat(secret.identity().uid()).isEqualTo("s1");
        assertThat(secret.owners()).containsExactly(
                new GraphObject.Owner("k1", "controlplane.cluster.x-k8s.io/v1beta1", "KubeadmControlPlane", "edge",
                        true, true),
                new GraphObject.Owner("c1", "cluster.x-k8s.io/v1beta1", "Cluster", "edge", null, null));
        assertThat(secret.labels()).containsEntry(Capi.CLUSTER_NAME_LABEL, "edge");
        assertThat(secret.annotationKeys()).containsExactlyInAnyOrder(Capi.BLOCK_MOVE_ANNOTATION, "note");
        assertThat(secret.bindingClusterName()).isNull();
        assertThat(binding.bindingClusterName()).isEqualTo("edge");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Read, then planned: one cluster of each provider whose identity is not its own, among a project's clusters, as
    // the providers' controllers leave the owner references.

    record ProviderPlan(String name, String yaml, List<CustomResourceDefinition> identityCrds,
                        Map<String, String> decisions) {

        @Override
        public String toString() {
            return name;
        }
    }

    static final String CLUSTER = """
            apiVersion: cluster.x-k8s.io/v1beta1
            kind: Cluster
            metadata: {name: edge, namespace: team-a, uid: cluster-edge}
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: edge-kubeconfig
              namespace: team-a
              uid: secret-kubeconfig
              labels: {cluster.x-k8s.io/cluster-name: edge}
              ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: edge, uid: cluster-edge}]
            ---
            apiVersion: cluster.x-k8s.io/v1beta1
            kind: Cluster
            metadata: {name: other, namespace: team-a, uid: cluster-other}
            ---
            """;

    static Stream<ProviderPlan> providerPlans() {
        return Stream.of(
                new ProviderPlan("AWS: the cluster-scoped static identity and its Secret in capa-system stay", CLUSTER + """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
                        kind: AWSCluster
                        metadata:
                          name: edge
                          namespace: team-a
                          uid: aws-edge
                          ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: edge, uid: cluster-edge}]
                        spec:
                          identityRef: {kind: AWSClusterStaticIdentity, name: team-a}
                        ---
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta2
                        kind: AWSClusterStaticIdentity
                        metadata: {name: team-a, uid: identity}
                        spec: {secretRef: team-a-aws}
                        ---
                        apiVersion: v1
                        kind: Secret
                        metadata:
                          name: team-a-aws
                          namespace: capa-system
                          uid: secret-aws
                          ownerReferences: [{apiVersion: infrastructure.cluster.x-k8s.io/v1beta2, kind: AWSClusterStaticIdentity, name: team-a, uid: identity}]
                        """, List.of(crd("infrastructure.cluster.x-k8s.io", "AWSClusterStaticIdentity", "Cluster",
                        List.of("v1beta1", "v1beta2"), "v1beta2", Capi.MOVE_HIERARCHY_LABEL)), Map.of(
                        "Cluster team-a/edge", "deleted",
                        "Secret team-a/edge-kubeconfig", "deleted",
                        "AWSCluster team-a/edge", "deleted",
                        "AWSClusterStaticIdentity team-a", "kept",
                        "Secret capa-system/team-a-aws", "kept")),
                new ProviderPlan("Azure: pivotplane's identity for the cluster moves, the client Secret stays",
                        CLUSTER + """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: AzureCluster
                        metadata:
                          name: edge
                          namespace: team-a
                          uid: azure-edge
                          ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: edge, uid: cluster-edge}]
                        spec:
                          identityRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: AzureClusterIdentity, name: edge-identity}
                        ---
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: AzureClusterIdentity
                        metadata:
                          name: edge-identity
                          namespace: team-a
                          uid: identity
                          labels: {cluster.x-k8s.io/cluster-name: edge, clusterctl.cluster.x-k8s.io/move-hierarchy: "true"}
                        spec:
                          type: ServicePrincipal
                          clientSecret: {name: azure-sp, namespace: team-a}
                        ---
                        apiVersion: v1
                        kind: Secret
                        metadata: {name: azure-sp, namespace: team-a, uid: secret-azure}
                        """, List.of(), Map.of(
                        "Cluster team-a/edge", "deleted",
                        "Secret team-a/edge-kubeconfig", "deleted",
                        "AzureCluster team-a/edge", "deleted",
                        "AzureClusterIdentity team-a/edge-identity", "deleted",
                        "Secret team-a/azure-sp", "kept")),
                new ProviderPlan("vSphere: the identity Secret the VSphereCluster owns moves, unlabelled", CLUSTER + """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: VSphereCluster
                        metadata:
                          name: edge
                          namespace: team-a
                          uid: vsphere-edge
                          ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: edge, uid: cluster-edge}]
                        spec:
                          identityRef: {kind: Secret, name: edge-vsphere}
                        ---
                        apiVersion: v1
                        kind: Secret
                        metadata:
                          name: edge-vsphere
                          namespace: team-a
                          uid: secret-vsphere
                          finalizers: [vspherecluster/infrastructure.cluster.x-k8s.io]
                          ownerReferences: [{apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: VSphereCluster, name: edge, uid: vsphere-edge}]
                        """, List.of(), Map.of(
                        "Cluster team-a/edge", "deleted",
                        "Secret team-a/edge-kubeconfig", "deleted",
                        "VSphereCluster team-a/edge", "deleted",
                        "Secret team-a/edge-vsphere", "deleted")),
                new ProviderPlan("vSphere: a VSphereClusterIdentity and its Secret in capv-system stay", CLUSTER + """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: VSphereCluster
                        metadata:
                          name: edge
                          namespace: team-a
                          uid: vsphere-edge
                          ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: edge, uid: cluster-edge}]
                        spec:
                          identityRef: {kind: VSphereClusterIdentity, name: vcenter}
                        ---
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: VSphereClusterIdentity
                        metadata: {name: vcenter, uid: identity}
                        spec: {secretName: vcenter-credentials}
                        ---
                        apiVersion: v1
                        kind: Secret
                        metadata:
                          name: vcenter-credentials
                          namespace: capv-system
                          uid: secret-vsphere
                          ownerReferences: [{apiVersion: infrastructure.cluster.x-k8s.io/v1beta1, kind: VSphereClusterIdentity, name: vcenter, uid: identity}]
                        """, List.of(crd("infrastructure.cluster.x-k8s.io", "VSphereClusterIdentity", "Cluster",
                        List.of("v1beta1"), "v1beta1")), Map.of(
                        "Cluster team-a/edge", "deleted",
                        "Secret team-a/edge-kubeconfig", "deleted",
                        "VSphereCluster team-a/edge", "deleted",
                        "VSphereClusterIdentity vcenter", "kept",
                        "Secret capv-system/vcenter-credentials", "kept")),
                new ProviderPlan("GCP: the project's credentials Secret stays", CLUSTER + """
                        apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
                        kind: GCPCluster
                        metadata:
                          name: edge
                          namespace: team-a
                          uid: gcp-edge
                          ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: edge, uid: cluster-edge}]
                        spec:
                          credentialsRef: {name: gcp-credentials, namespace: team-a}
                        ---
                        apiVersion: v1
                        kind: Secret
                        metadata: {name: gcp-credentials, namespace: team-a, uid: secret-gcp}
                        """, List.of(), Map.of(
                        "Cluster team-a/edge", "deleted",
                        "Secret team-a/edge-kubeconfig", "deleted",
                        "GCPCluster team-a/edge", "deleted",
                        "Secret team-a/gcp-credentials", "kept")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerPlans")
    void plansAProvidersClusterAsRead(ProviderPlan row) {
        List<DiscoveryType> types = new ArrayList<>(CapiCrds.all().stream().map(GraphObjects::of).toList());
        row.identityCrds().stream().map(GraphObjects::of).forEach(types::add);
        List<GraphObject> objects = parseAll(row.yaml()).stream()
                .map(object -> GraphObjects.of(object, PROVIDER_NAMESPACES)).toList();

        MovePlan plan = ObjectGraph.plan(types, objects, "team-a", "edge");

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.objects().stream().collect(Collectors.toMap(o -> o.identity().toString(),
                (PlannedObject o) -> o.deleteFromSource() ? "deleted" : "kept"))).isEqualTo(row.decisions());
    }
}
