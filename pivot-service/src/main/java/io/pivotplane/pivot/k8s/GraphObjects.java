package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.pivotplane.capi.AwsRenderer;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.VSphereRenderer;
import io.pivotplane.pivot.domain.DiscoveryType;
import io.pivotplane.pivot.domain.GraphObject;
import io.pivotplane.pivot.domain.GraphObject.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the move's object graph needs of what discovery read, from fabric8's model: an object as a
 * {@link GraphObject}, a CRD as a {@link DiscoveryType}. No client calls.
 *
 * <p>The references are the fields by which the providers pivotplane runs find an identity or its credentials, read
 * from their API types at pivotplane's versions (CAPA 2.7.1, CAPZ 1.18.1, CAPV 1.12.0, CAPG 1.8.1; CAPMAAS 0.6.0 has
 * none, its controller reads its own configuration), and two of Cluster API's own: a Cluster's ClusterClass and a
 * ClusterResourceSetBinding's ClusterResourceSets. Kinds are matched by group and kind, not version.
 */
public final class GraphObjects {

    static final String CLUSTER_GROUP = "cluster.x-k8s.io";
    static final String ADDONS_GROUP = "addons.cluster.x-k8s.io";
    static final String INFRASTRUCTURE_GROUP = Capi.INFRASTRUCTURE_GROUP;
    static final String SECRET_API_VERSION = "v1";
    /** CAPA stores its identities at v1beta2 ({@code api/v1beta2/awsidentity_types.go}). */
    static final String AWS_API_VERSION = Capi.infrastructureApiVersion("v1beta2");
    static final String AZURE_API_VERSION = Capi.infrastructureApiVersion("v1beta1");
    static final String VSPHERE_API_VERSION = Capi.infrastructureApiVersion("v1beta1");
    static final String CLUSTER_CLASS_API_VERSION = Capi.CORE_API_VERSION;
    static final String ADDONS_API_VERSION = ADDONS_GROUP + "/v1beta1";

    private GraphObjects() {
    }

    /**
     * @param infrastructureProviderNamespaces each infrastructure provider's controller namespace by its
     *     clusterctl provider name ({@code aws} → {@code capa-system}), as clusterctl's inventory holds them: CAPA's
     *     and CAPV's cluster-scoped identities name a Secret of that namespace by name alone
     */
    public static GraphObject of(HasMetadata object, Map<String, String> infrastructureProviderNamespaces) {
        ObjectMeta metadata = object.getMetadata();
        GraphObject.Builder read = GraphObject.builder(object.getApiVersion(), object.getKind(),
                metadata.getNamespace(), metadata.getName(), metadata.getUid());
        for (OwnerReference owner : Optional.ofNullable(metadata.getOwnerReferences()).orElse(List.of())) {
            read.owner(new GraphObject.Owner(owner.getUid(), owner.getApiVersion(), owner.getKind(), owner.getName(),
                    owner.getController(), owner.getBlockOwnerDeletion()));
        }
        Optional.ofNullable(metadata.getLabels()).orElse(Map.of()).forEach(read::label);
        Optional.ofNullable(metadata.getAnnotations()).orElse(Map.of()).keySet().forEach(read::annotation);
        Map<?, ?> spec = spec(object);
        if (is(object, ADDONS_GROUP, "ClusterResourceSetBinding")) {
            read.bindingClusterName(string(spec, "clusterName"));
        }
        references(object, spec, infrastructureProviderNamespaces).forEach(read::reference);
        return read.build();
    }

    /**
     * The type of a CRD at its storage version, with clusterctl's force-move rules (see
     * {@link DiscoveryType#ofCustomResource}). clusterctl reads the CRDs it installed: those labelled
     * {@code clusterctl.cluster.x-k8s.io}; which CRDs to pass is the caller's choice.
     */
    public static DiscoveryType of(CustomResourceDefinition crd) {
        CustomResourceDefinitionVersion storage = crd.getSpec().getVersions().stream()
                .filter(version -> Boolean.TRUE.equals(version.getStorage())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("CRD " + crd.getMetadata().getName()
                        + " has no storage version"));
        return DiscoveryType.ofCustomResource(crd.getSpec().getGroup(), storage.getName(),
                crd.getSpec().getNames().getKind(), crd.getSpec().getNames().getPlural(),
                "Cluster".equals(crd.getSpec().getScope()),
                Optional.ofNullable(crd.getMetadata().getLabels()).orElse(Map.of()).keySet());
    }

    private static List<Reference> references(HasMetadata object, Map<?, ?> spec, Map<String, String> providerNamespaces) {
        String namespace = object.getMetadata().getNamespace();
        List<Reference> references = new ArrayList<>();
        if (is(object, CLUSTER_GROUP, Capi.CLUSTER)) {
            clusterClass(spec, namespace, references);
        } else if (is(object, ADDONS_GROUP, "ClusterResourceSetBinding")) {
            clusterResourceSets(spec, namespace, references);
        } else if (is(object, INFRASTRUCTURE_GROUP, "AWSCluster")) {
            awsIdentity(map(spec, "identityRef"), "spec.identityRef", references);
        } else if (is(object, INFRASTRUCTURE_GROUP, "AWSClusterRoleIdentity")) {
            awsIdentity(map(spec, "sourceIdentityRef"), "spec.sourceIdentityRef", references);
        } else if (is(object, INFRASTRUCTURE_GROUP, "AWSClusterStaticIdentity")) {
            awsStaticIdentitySecret(spec, providerNamespaces, references);
        } else if (is(object, INFRASTRUCTURE_GROUP, "AzureCluster")) {
            azureIdentity(spec, namespace, references);
        } else if (is(object, INFRASTRUCTURE_GROUP, "AzureClusterIdentity")) {
            azureClientSecret(spec, namespace, references);
        } else if (is(object, INFRASTRUCTURE_GROUP, "VSphereCluster")) {
            vsphereIdentity(spec, namespace, references);
        } else if (is(object, INFRASTRUCTURE_GROUP, "VSphereClusterIdentity")) {
            vsphereIdentitySecret(spec, providerNamespaces, references);
        } else if (is(object, INFRASTRUCTURE_GROUP, "GCPCluster")) {
            gcpCredentials(spec, references);
        }
        return references;
    }

    /**
     * {@code spec.topology.class}, in {@code spec.topology.classNamespace} or the Cluster's own namespace
     * (Cluster API {@code api/v1beta1/cluster_types.go}, {@code GetClassKey}).
     */
    private static void clusterClass(Map<?, ?> spec, String namespace, List<Reference> references) {
        Map<?, ?> topology = map(spec, "topology");
        String name = string(topology, "class");
        if (name != null) {
            String classNamespace = string(topology, "classNamespace");
            references.add(new Reference(CLUSTER_CLASS_API_VERSION, "ClusterClass",
                    classNamespace == null || classNamespace.isEmpty() ? namespace : classNamespace, name,
                    "spec.topology.class"));
        }
    }

    /**
     * {@code spec.bindings[].clusterResourceSetName}: the ClusterResourceSets that own the binding, in its namespace
     * (Cluster API {@code exp/addons/api/v1beta1/clusterresourcesetbinding_types.go}).
     */
    private static void clusterResourceSets(Map<?, ?> spec, String namespace, List<Reference> references) {
        if (spec.get("bindings") instanceof List<?> bindings) {
            for (Object binding : bindings) {
                String name = binding instanceof Map<?, ?> entry ? string(entry, "clusterResourceSetName") : null;
                if (name != null) {
                    references.add(new Reference(ADDONS_API_VERSION, "ClusterResourceSet", namespace, name,
                            "spec.bindings[].clusterResourceSetName"));
                }
            }
        }
    }

    /**
     * CAPA {@code api/v1beta2/awscluster_types.go} {@code AWSIdentityReference}: a kind among
     * AWSClusterControllerIdentity, AWSClusterRoleIdentity, AWSClusterStaticIdentity, all cluster-scoped, and a
     * name. CAPA's webhook defaults an AWSCluster's to the controller identity {@code default}; a role identity
     * chains to its {@code sourceIdentityRef} ({@code pkg/cloud/scope/session.go}, {@code buildProvidersForRef}).
     */
    private static void awsIdentity(Map<?, ?> identityRef, String field, List<Reference> references) {
        String kind = string(identityRef, "kind");
        String name = string(identityRef, "name");
        if (kind != null && name != null) {
            references.add(new Reference(AWS_API_VERSION, kind, "", name, field));
        }
    }

    /**
     * CAPA {@code api/v1beta2/awsidentity_types.go}: {@code spec.secretRef} is a Secret's name in CAPA's controller
     * namespace ({@code pkg/cloud/scope/session.go} reads it from {@code system.GetManagerNamespace()} and sets the
     * static identity as the Secret's owner, which makes the Secret part of the identity's global hierarchy).
     */
    private static void awsStaticIdentitySecret(Map<?, ?> spec, Map<String, String> providerNamespaces,
                                                List<Reference> references) {
        String name = string(spec, "secretRef");
        if (name != null) {
            references.add(new Reference(SECRET_API_VERSION, "Secret", providerNamespaces.get(AwsRenderer.PROVIDER),
                    name, "spec.secretRef, in the namespace of provider " + AwsRenderer.PROVIDER));
        }
    }

    /**
     * CAPZ {@code api/v1beta1/types_class.go}: {@code spec.identityRef} is an ObjectReference to a namespaced
     * AzureClusterIdentity, in the AzureCluster's namespace when it names none ({@code azure/scope/identity.go},
     * {@code NewAzureCredentialsProvider}, which looks the identity up whatever kind the reference says).
     */
    private static void azureIdentity(Map<?, ?> spec, String namespace, List<Reference> references) {
        Map<?, ?> identityRef = map(spec, "identityRef");
        String name = string(identityRef, "name");
        if (name != null) {
            String identityNamespace = string(identityRef, "namespace");
            references.add(new Reference(AZURE_API_VERSION, "AzureClusterIdentity",
                    identityNamespace == null || identityNamespace.isEmpty() ? namespace : identityNamespace, name,
                    "spec.identityRef"));
        }
    }

    /**
     * CAPZ {@code api/v1beta1/azureclusteridentity_types.go}: {@code spec.clientSecret} is a SecretReference
     * {name, namespace}. CAPZ reads it ({@code azure/scope/identity.go}, {@code GetClientSecret}) and sets no owner on
     * it, so the Secret hangs below nothing: only this reference ties it to the identity. CAPZ does not default its
     * namespace (an empty one fails its lookup); the identity's own is the likeliest and is taken then.
     */
    private static void azureClientSecret(Map<?, ?> spec, String namespace, List<Reference> references) {
        Map<?, ?> clientSecret = map(spec, "clientSecret");
        String name = string(clientSecret, "name");
        if (name != null && !name.isEmpty()) {
            String secretNamespace = string(clientSecret, "namespace");
            references.add(new Reference(SECRET_API_VERSION, "Secret",
                    secretNamespace == null || secretNamespace.isEmpty() ? namespace : secretNamespace, name,
                    "spec.clientSecret"));
        }
    }

    /**
     * CAPV {@code apis/v1beta1/vsphereclusteridentity_types.go} {@code VSphereIdentityReference}: kind {@code Secret}
     * (in the VSphereCluster's namespace) or {@code VSphereClusterIdentity} (cluster-scoped), and a name
     * ({@code pkg/identity/identity.go}, {@code GetCredentials}). For a Secret, CAPV sets the VSphereCluster as its
     * owner and refuses one another cluster owns ({@code controllers/vspherecluster_reconciler.go},
     * {@code reconcileIdentitySecret}), so the Secret is in that cluster's own tree.
     */
    private static void vsphereIdentity(Map<?, ?> spec, String namespace, List<Reference> references) {
        Map<?, ?> identityRef = map(spec, "identityRef");
        String kind = string(identityRef, "kind");
        String name = string(identityRef, "name");
        if ("Secret".equals(kind) && name != null) {
            references.add(new Reference(SECRET_API_VERSION, "Secret", namespace, name, "spec.identityRef"));
        } else if ("VSphereClusterIdentity".equals(kind) && name != null) {
            references.add(new Reference(VSPHERE_API_VERSION, kind, "", name, "spec.identityRef"));
        }
    }

    /**
     * CAPV {@code apis/v1beta1/vsphereclusteridentity_types.go}: {@code spec.secretName} is a Secret in CAPV's
     * controller namespace, whose owner the identity's controller makes it
     * ({@code controllers/vsphereclusteridentity_controller.go}).
     */
    private static void vsphereIdentitySecret(Map<?, ?> spec, Map<String, String> providerNamespaces,
                                              List<Reference> references) {
        String name = string(spec, "secretName");
        if (name != null && !name.isEmpty()) {
            references.add(new Reference(SECRET_API_VERSION, "Secret",
                    providerNamespaces.get(VSphereRenderer.PROVIDER), name,
                    "spec.secretName, in the namespace of provider " + VSphereRenderer.PROVIDER));
        }
    }

    /**
     * CAPG {@code api/v1beta1/gcpcluster_types.go}: {@code spec.credentialsRef} {namespace, name}, both required, a
     * Secret CAPG reads ({@code cloud/scope/credentials.go}) and sets no owner on.
     */
    private static void gcpCredentials(Map<?, ?> spec, List<Reference> references) {
        Map<?, ?> credentialsRef = map(spec, "credentialsRef");
        String name = string(credentialsRef, "name");
        if (name != null) {
            references.add(new Reference(SECRET_API_VERSION, "Secret", string(credentialsRef, "namespace"), name,
                    "spec.credentialsRef"));
        }
    }

    private static boolean is(HasMetadata object, String group, String kind) {
        String apiVersion = object.getApiVersion() == null ? "" : object.getApiVersion();
        return kind.equals(object.getKind()) && apiVersion.startsWith(group + "/");
    }

    private static Map<?, ?> spec(HasMetadata object) {
        return object instanceof GenericKubernetesResource resource
                ? map(resource.getAdditionalProperties(), "spec") : Map.of();
    }

    private static Map<?, ?> map(Map<?, ?> parent, String key) {
        return parent.get(key) instanceof Map<?, ?> child ? child : Map.of();
    }

    private static String string(Map<?, ?> parent, String key) {
        return parent.get(key) instanceof String value ? value : null;
    }
}
