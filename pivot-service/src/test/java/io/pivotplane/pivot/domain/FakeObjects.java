package io.pivotplane.pivot.domain;

import io.pivotplane.capi.Capi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test fixtures shaped like clusterctl's {@code cmd/clusterctl/internal/test/fake_objects.go}: the same objects, names,
 * owner references and labels, so that its test scenarios read the same here. Each object's uid is what clusterctl's
 * {@code setUID} makes it, {@code "<group>/<version>, Kind=<kind>, <namespace>/<name>"}, so expectations name objects
 * as upstream's do.
 */
final class FakeObjects {

    static final String CLUSTER_API = "cluster.x-k8s.io/v1beta1";
    static final String INFRASTRUCTURE = "infrastructure.cluster.x-k8s.io/v1beta1";
    static final String BOOTSTRAP = "bootstrap.cluster.x-k8s.io/v1beta1";
    static final String CONTROL_PLANE = "controlplane.cluster.x-k8s.io/v1beta1";
    static final String ADDONS = "addons.cluster.x-k8s.io/v1beta1";
    static final String EXTERNAL = "external.cluster.x-k8s.io/v1beta1";

    private FakeObjects() {
    }

    static String uid(String apiVersion, String kind, String namespace, String name) {
        String groupVersion = apiVersion.contains("/") ? apiVersion : "/" + apiVersion;
        return groupVersion + ", Kind=" + kind + ", " + (namespace == null || namespace.isEmpty() ? name
                : namespace + "/" + name);
    }

    /**
     * The types of clusterctl's {@code FakeCRDList}: every kind of the fake providers, the external objects labelled
     * for force move, the cluster-scoped identity labelled for force move hierarchy. Secret and ConfigMap are left
     * to {@link ObjectGraph#plan}, which adds them as {@code getDiscoveryTypes} does.
     */
    static List<DiscoveryType> discoveryTypes() {
        List<DiscoveryType> types = new ArrayList<>();
        for (String kind : List.of("Cluster", "ClusterClass", "Machine", "MachineDeployment", "MachineSet",
                "MachinePool")) {
            types.add(namespaced(CLUSTER_API, kind));
        }
        types.add(namespaced(ADDONS, "ClusterResourceSet"));
        types.add(namespaced(ADDONS, "ClusterResourceSetBinding"));
        types.add(namespaced(CONTROL_PLANE, "GenericControlPlane"));
        types.add(namespaced(CONTROL_PLANE, "GenericControlPlaneTemplate"));
        for (String kind : List.of("GenericInfrastructureCluster", "GenericInfrastructureClusterTemplate",
                "GenericInfrastructureMachine", "GenericInfrastructureMachineTemplate")) {
            types.add(namespaced(INFRASTRUCTURE, kind));
        }
        types.add(namespaced(BOOTSTRAP, "GenericBootstrapConfig"));
        types.add(namespaced(BOOTSTRAP, "GenericBootstrapConfigTemplate"));
        types.add(type(EXTERNAL, "GenericExternalObject", false, Capi.MOVE_LABEL));
        types.add(type(EXTERNAL, "GenericClusterExternalObject", true, Capi.MOVE_LABEL));
        types.add(type(INFRASTRUCTURE, "GenericClusterInfrastructureIdentity", true, Capi.MOVE_HIERARCHY_LABEL));
        return types;
    }

    static DiscoveryType namespaced(String apiVersion, String kind) {
        return type(apiVersion, kind, false);
    }

    static DiscoveryType type(String apiVersion, String kind, boolean clusterScoped, String... crdLabels) {
        String[] groupVersion = apiVersion.split("/");
        return DiscoveryType.ofCustomResource(groupVersion[0], groupVersion[1], kind, kind.toLowerCase() + "s",
                clusterScoped, Set.of(crdLabels));
    }

    /** What discovery read: each object once, as clusterctl's tests deduplicate shared ones. */
    static List<GraphObject> read(Collection<FakeObject> objects) {
        Map<String, GraphObject> byUid = new LinkedHashMap<>();
        objects.forEach(object -> byUid.putIfAbsent(object.uid(), object.read()));
        return List.copyOf(byUid.values());
    }

    @SafeVarargs
    static List<FakeObject> all(List<FakeObject>... lists) {
        List<FakeObject> all = new ArrayList<>();
        Arrays.stream(lists).forEach(all::addAll);
        return all;
    }

    static FakeObject find(List<FakeObject> objects, String kind, String name) {
        return objects.stream().filter(object -> object.kind.equals(kind) && object.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + kind + " " + name));
    }

    static FakeObject secret(String namespace, String name) {
        return new FakeObject("v1", "Secret", namespace, name);
    }

    static FakeObject configMap(String namespace, String name) {
        return new FakeObject("v1", "ConfigMap", namespace, name);
    }

    /** {@code NewFakeInfrastructureTemplate}: no namespace until a cluster's objects take it in. */
    static FakeObject infrastructureTemplate(String name) {
        return new FakeObject(INFRASTRUCTURE, "GenericInfrastructureMachineTemplate", null, name);
    }

    static FakeObject infrastructureMachineTemplate(String namespace, String name) {
        return new FakeObject(INFRASTRUCTURE, "GenericInfrastructureMachineTemplate", namespace, name);
    }

    static FakeObject bootstrapTemplate(String namespace, String name) {
        return new FakeObject(BOOTSTRAP, "GenericBootstrapConfigTemplate", namespace, name);
    }

    static FakeObject controlPlaneTemplate(String namespace, String name) {
        return new FakeObject(CONTROL_PLANE, "GenericControlPlaneTemplate", namespace, name);
    }

    /** One object as a test builds it: mutable, because fake_objects.go adds owners as clusters take objects in. */
    static final class FakeObject {

        final String apiVersion;
        final String kind;
        String namespace;
        final String name;
        final List<GraphObject.Owner> owners = new ArrayList<>();
        final Map<String, String> labels = new LinkedHashMap<>();
        final Set<String> annotations = new LinkedHashSet<>();
        final List<GraphObject.Reference> references = new ArrayList<>();
        String bindingClusterName;

        FakeObject(String apiVersion, String kind, String namespace, String name) {
            this.apiVersion = apiVersion;
            this.kind = kind;
            this.namespace = namespace;
            this.name = name;
        }

        String uid() {
            return FakeObjects.uid(apiVersion, kind, namespace, name);
        }

        /** A plain owner reference, as the fakes' controllers set them. */
        FakeObject ownedBy(FakeObject owner) {
            owners.add(new GraphObject.Owner(owner.uid(), owner.apiVersion, owner.kind, owner.name, null, null));
            return this;
        }

        /** {@code metav1.NewControllerRef}: controller and blockOwnerDeletion both true. */
        FakeObject controlledBy(FakeObject owner) {
            owners.add(new GraphObject.Owner(owner.uid(), owner.apiVersion, owner.kind, owner.name, true, true));
            return this;
        }

        /** {@code util.EnsureOwnerRef}: once per owner. */
        FakeObject ensureOwnedBy(FakeObject owner) {
            if (owners.stream().noneMatch(existing -> existing.uid().equals(owner.uid()))) {
                ownedBy(owner);
            }
            return this;
        }

        FakeObject label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        FakeObject clusterLabel(String clusterName) {
            return label(Capi.CLUSTER_NAME_LABEL, clusterName);
        }

        FakeObject annotate(String key) {
            annotations.add(key);
            return this;
        }

        FakeObject uses(FakeObject used, String field) {
            references.add(new GraphObject.Reference(used.apiVersion, used.kind, used.namespace == null ? ""
                    : used.namespace, used.name, field));
            return this;
        }

        FakeObject uses(GraphObject.Reference reference) {
            references.add(reference);
            return this;
        }

        GraphObject read() {
            GraphObject.Builder read = GraphObject.builder(apiVersion, kind, namespace, name, uid());
            owners.forEach(read::owner);
            labels.forEach(read::label);
            annotations.forEach(read::annotation);
            references.forEach(read::reference);
            return read.bindingClusterName(bindingClusterName).build();
        }
    }

    /**
     * {@code NewFakeCluster}: the Cluster, its infrastructure cluster, a user's CA Secret (soft-owned by name), the
     * kubeconfig Secret (owned by the Cluster, or by the control plane when there is one), and what its control
     * plane, machine pools, deployments, sets and machines make. The first machine of a cluster without a control
     * plane gets the service-account Secret its bootstrap config generates.
     */
    static final class FakeCluster {

        private final String namespace;
        private final String name;
        private String infrastructureApiVersion = INFRASTRUCTURE;
        private String infrastructureKind = "GenericInfrastructureCluster";
        private FakeControlPlane controlPlane;
        private final List<FakeMachinePool> machinePools = new ArrayList<>();
        private final List<FakeMachineDeployment> machineDeployments = new ArrayList<>();
        private final List<FakeMachineSet> machineSets = new ArrayList<>();
        private final List<FakeMachine> machines = new ArrayList<>();
        private boolean cloudConfigSecret;
        private boolean credentialSecret;
        private String topologyClass;
        private String topologyClassNamespace;

        FakeCluster(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        /** pivotplane's: a provider's infrastructure cluster kind instead of the generic one. */
        FakeCluster withInfrastructure(String apiVersion, String kind) {
            infrastructureApiVersion = apiVersion;
            infrastructureKind = kind;
            return this;
        }

        FakeCluster withControlPlane(FakeControlPlane fake) {
            controlPlane = fake;
            return this;
        }

        FakeCluster withMachinePools(FakeMachinePool... fakes) {
            machinePools.addAll(List.of(fakes));
            return this;
        }

        FakeCluster withMachineDeployments(FakeMachineDeployment... fakes) {
            machineDeployments.addAll(List.of(fakes));
            return this;
        }

        FakeCluster withMachineSets(FakeMachineSet... fakes) {
            machineSets.addAll(List.of(fakes));
            return this;
        }

        FakeCluster withMachines(FakeMachine... fakes) {
            machines.addAll(List.of(fakes));
            return this;
        }

        /** A user's Secret labelled {@code clusterctl.cluster.x-k8s.io/move}, and nothing else. */
        FakeCluster withCloudConfigSecret() {
            cloudConfigSecret = true;
            return this;
        }

        FakeCluster withCredentialSecret() {
            credentialSecret = true;
            return this;
        }

        FakeCluster withTopologyClass(String className) {
            topologyClass = className;
            return this;
        }

        FakeCluster withTopologyClassNamespace(String classNamespace) {
            topologyClassNamespace = classNamespace;
            return this;
        }

        List<FakeObject> objs() {
            FakeObject cluster = new FakeObject(CLUSTER_API, "Cluster", namespace, name);
            if (topologyClass != null) {
                cluster.uses(new GraphObject.Reference(CLUSTER_API, "ClusterClass",
                        topologyClassNamespace == null ? namespace : topologyClassNamespace, topologyClass,
                        "spec.topology.class"));
            }
            FakeObject infrastructure = new FakeObject(infrastructureApiVersion, infrastructureKind, namespace, name)
                    .ownedBy(cluster).clusterLabel(name);
            List<FakeObject> objs = new ArrayList<>(List.of(cluster, infrastructure, secret(namespace, name + "-ca")));
            if (cloudConfigSecret) {
                objs.add(secret(namespace, name + "-cloud-config").label(Capi.MOVE_LABEL, ""));
            }
            if (credentialSecret) {
                objs.add(secret(namespace, name + "-credentials").ownedBy(cluster));
            }
            if (controlPlane != null) {
                objs.addAll(controlPlane.objs(cluster));
            } else {
                objs.add(secret(namespace, name + "-kubeconfig").ownedBy(cluster));
            }
            machinePools.forEach(pool -> objs.addAll(pool.objs(cluster)));
            machineDeployments.forEach(deployment -> objs.addAll(deployment.objs(cluster)));
            machineSets.forEach(set -> objs.addAll(set.objs(cluster, null)));
            for (int i = 0; i < machines.size(); i++) {
                objs.addAll(machines.get(i).objs(cluster, controlPlane == null && i == 0, null, null, null));
            }
            return objs;
        }
    }

    /** {@code NewFakeControlPlane}: its infrastructure template, the kubeconfig and sa Secrets it controls, machines. */
    static final class FakeControlPlane {

        private final String name;
        private final List<FakeMachine> machines = new ArrayList<>();

        FakeControlPlane(String name) {
            this.name = name;
        }

        FakeControlPlane withMachines(FakeMachine... fakes) {
            machines.addAll(List.of(fakes));
            return this;
        }

        List<FakeObject> objs(FakeObject cluster) {
            FakeObject infrastructure = infrastructureMachineTemplate(cluster.namespace, name).ownedBy(cluster);
            FakeObject controlPlane = new FakeObject(CONTROL_PLANE, "GenericControlPlane", cluster.namespace, name)
                    .ownedBy(cluster).clusterLabel(cluster.name);
            List<FakeObject> objs = new ArrayList<>(List.of(controlPlane, infrastructure,
                    secret(cluster.namespace, cluster.name + "-kubeconfig").controlledBy(controlPlane),
                    secret(cluster.namespace, cluster.name + "-sa").controlledBy(controlPlane)));
            machines.forEach(machine -> objs.addAll(machine.objs(cluster, false, null, null, controlPlane)));
            return objs;
        }
    }

    /** {@code NewFakeMachinePool}: the pool with its infrastructure and bootstrap templates, owned by the Cluster. */
    static final class FakeMachinePool {

        private final String name;
        private boolean staticBootstrapConfig;
        private final List<FakeMachine> machines = new ArrayList<>();

        FakeMachinePool(String name) {
            this.name = name;
        }

        FakeMachinePool withStaticBootstrapConfig() {
            staticBootstrapConfig = true;
            return this;
        }

        FakeMachinePool withMachines(FakeMachine... fakes) {
            machines.addAll(List.of(fakes));
            return this;
        }

        List<FakeObject> objs(FakeObject cluster) {
            FakeObject pool = new FakeObject(CLUSTER_API, "MachinePool", cluster.namespace, name).ownedBy(cluster)
                    .clusterLabel(cluster.name);
            List<FakeObject> objs = new ArrayList<>(List.of(pool,
                    infrastructureMachineTemplate(cluster.namespace, name).ownedBy(cluster)));
            if (!staticBootstrapConfig) {
                objs.add(bootstrapTemplate(cluster.namespace, name).ownedBy(cluster));
            }
            machines.forEach(machine -> objs.addAll(machine.objs(cluster, false, null, pool, null)));
            return objs;
        }
    }

    /** {@code NewFakeMachineDeployment}: the deployment, its templates (owned by the Cluster), its machine sets. */
    static final class FakeMachineDeployment {

        private final String name;
        private final List<FakeMachineSet> machineSets = new ArrayList<>();
        private FakeObject sharedInfrastructureTemplate;
        private boolean staticBootstrapConfig;

        FakeMachineDeployment(String name) {
            this.name = name;
        }

        FakeMachineDeployment withMachineSets(FakeMachineSet... fakes) {
            machineSets.addAll(List.of(fakes));
            return this;
        }

        FakeMachineDeployment withStaticBootstrapConfig() {
            staticBootstrapConfig = true;
            return this;
        }

        FakeMachineDeployment withInfrastructureTemplate(FakeObject template) {
            sharedInfrastructureTemplate = template;
            return this;
        }

        List<FakeObject> objs(FakeObject cluster) {
            FakeObject infrastructure = sharedInfrastructureTemplate != null ? sharedInfrastructureTemplate
                    : infrastructureTemplate(name);
            infrastructure.namespace = cluster.namespace;
            infrastructure.ensureOwnedBy(cluster);
            FakeObject deployment = new FakeObject(CLUSTER_API, "MachineDeployment", cluster.namespace, name)
                    .ownedBy(cluster).clusterLabel(cluster.name);
            List<FakeObject> objs = new ArrayList<>(List.of(deployment));
            if (!staticBootstrapConfig) {
                objs.add(bootstrapTemplate(cluster.namespace, name).ownedBy(cluster));
            }
            if (sharedInfrastructureTemplate == null) {
                objs.add(infrastructure);
            }
            machineSets.forEach(set -> objs.addAll(set.objs(cluster, deployment)));
            return objs;
        }
    }

    /**
     * {@code NewFakeMachineSet}: controlled by its deployment, or owned by the Cluster with templates of its own
     * (owned by the Cluster too), and its machines.
     */
    static final class FakeMachineSet {

        private final String name;
        private final List<FakeMachine> machines = new ArrayList<>();
        private FakeObject sharedInfrastructureTemplate;
        private boolean staticBootstrapConfig;

        FakeMachineSet(String name) {
            this.name = name;
        }

        FakeMachineSet withMachines(FakeMachine... fakes) {
            machines.addAll(List.of(fakes));
            return this;
        }

        FakeMachineSet withStaticBootstrapConfig() {
            staticBootstrapConfig = true;
            return this;
        }

        FakeMachineSet withInfrastructureTemplate(FakeObject template) {
            sharedInfrastructureTemplate = template;
            return this;
        }

        List<FakeObject> objs(FakeObject cluster, FakeObject deployment) {
            FakeObject set = new FakeObject(CLUSTER_API, "MachineSet", cluster.namespace, name)
                    .clusterLabel(cluster.name);
            List<FakeObject> objs = new ArrayList<>(List.of(set));
            if (deployment != null) {
                set.controlledBy(deployment);
            } else {
                set.ownedBy(cluster);
                FakeObject infrastructure = sharedInfrastructureTemplate != null ? sharedInfrastructureTemplate
                        : infrastructureTemplate(name);
                infrastructure.namespace = cluster.namespace;
                infrastructure.ownedBy(cluster);
                if (!staticBootstrapConfig) {
                    objs.add(bootstrapTemplate(cluster.namespace, name).ownedBy(cluster));
                }
                if (sharedInfrastructureTemplate == null) {
                    objs.add(infrastructure);
                }
            }
            machines.forEach(machine -> objs.addAll(machine.objs(cluster, false, set, null, null)));
            return objs;
        }
    }

    /**
     * {@code NewFakeMachine}: the Machine (controlled by its set, control plane or pool, else owned by the Cluster),
     * its infrastructure machine, and unless its bootstrap is static or it belongs to a pool, its bootstrap config
     * with the data Secret that config controls.
     */
    static final class FakeMachine {

        private final String name;
        private boolean staticBootstrapConfig;

        FakeMachine(String name) {
            this.name = name;
        }

        FakeMachine withStaticBootstrapConfig() {
            staticBootstrapConfig = true;
            return this;
        }

        List<FakeObject> objs(FakeObject cluster, boolean generateCerts, FakeObject machineSet, FakeObject pool,
                              FakeObject controlPlane) {
            String namespace = cluster.namespace;
            FakeObject machine = new FakeObject(CLUSTER_API, "Machine", namespace, name).clusterLabel(cluster.name);
            FakeObject bootstrap = new FakeObject(BOOTSTRAP, "GenericBootstrapConfig", namespace, name);
            List<FakeObject> additional = new ArrayList<>();
            if (machineSet != null) {
                machine.controlledBy(machineSet);
            } else if (controlPlane != null) {
                machine.controlledBy(controlPlane).label("cluster.x-k8s.io/control-plane", "");
            } else if (pool != null) {
                machine.controlledBy(pool).label("cluster.x-k8s.io/pool-name", pool.name);
            } else {
                machine.ownedBy(cluster);
                if (generateCerts) {
                    additional.add(secret(namespace, cluster.name + "-sa").controlledBy(bootstrap));
                }
            }
            FakeObject infrastructure = new FakeObject(INFRASTRUCTURE, "GenericInfrastructureMachine", namespace, name)
                    .ownedBy(machine).clusterLabel(cluster.name);
            List<FakeObject> objs = new ArrayList<>(List.of(machine, infrastructure));
            if (pool == null && !staticBootstrapConfig) {
                bootstrap.ownedBy(machine).clusterLabel(cluster.name);
                objs.add(secret(namespace, name).controlledBy(bootstrap).clusterLabel(cluster.name));
                objs.add(bootstrap);
            }
            objs.addAll(additional);
            return objs;
        }
    }

    /**
     * {@code NewFakeClusterResourceSet}: the set, the Secrets and ConfigMaps it owns, and a binding per cluster it
     * applies to, owned by the set and naming the cluster ({@code spec.clusterName}) and the set
     * ({@code spec.bindings[].clusterResourceSetName}).
     */
    static final class FakeClusterResourceSet {

        private final String namespace;
        private final String name;
        private final List<String> secrets = new ArrayList<>();
        private final List<String> configMaps = new ArrayList<>();
        private final List<String> clusters = new ArrayList<>();

        FakeClusterResourceSet(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        FakeClusterResourceSet withSecret(String secretName) {
            secrets.add(secretName);
            return this;
        }

        FakeClusterResourceSet withConfigMap(String configMapName) {
            configMaps.add(configMapName);
            return this;
        }

        FakeClusterResourceSet applyToCluster(String clusterName) {
            clusters.add(clusterName);
            return this;
        }

        List<FakeObject> objs() {
            FakeObject set = new FakeObject(ADDONS, "ClusterResourceSet", namespace, name);
            List<FakeObject> objs = new ArrayList<>(List.of(set));
            secrets.forEach(secret -> objs.add(secret(namespace, secret).ownedBy(set)));
            configMaps.forEach(configMap -> objs.add(configMap(namespace, configMap).ownedBy(set)));
            for (String cluster : clusters) {
                FakeObject binding = new FakeObject(ADDONS, "ClusterResourceSetBinding", namespace, cluster)
                        .ownedBy(set).uses(set, "spec.bindings[].clusterResourceSetName");
                binding.bindingClusterName = cluster;
                objs.add(binding);
            }
            return objs;
        }
    }

    /** {@code NewFakeExternalObject}: a CR of a kind labelled for force move, tied to no cluster. */
    static FakeObject externalObject(String namespace, String name) {
        return new FakeObject(EXTERNAL, "GenericExternalObject", namespace, name);
    }

    /** {@code NewFakeClusterExternalObject}: the same, cluster-scoped. */
    static FakeObject clusterExternalObject(String name) {
        return new FakeObject(EXTERNAL, "GenericClusterExternalObject", null, name);
    }

    /**
     * {@code NewFakeClusterInfrastructureIdentity(...).WithSecretIn(namespace)}: a cluster-scoped identity owning a
     * Secret {@code <name>-credentials} in the provider's namespace.
     */
    static List<FakeObject> clusterInfrastructureIdentity(String name, String secretNamespace) {
        FakeObject identity = new FakeObject(INFRASTRUCTURE, "GenericClusterInfrastructureIdentity", null, name);
        return List.of(identity, secret(secretNamespace, name + "-credentials").ownedBy(identity));
    }

    /**
     * {@code NewFakeClusterClass}: the class and the templates it owns (the topology controller sets the class as
     * their owner); templates given in are shared, and gain one owner per class.
     */
    static final class FakeClusterClass {

        private final String namespace;
        private final String name;
        private FakeObject infrastructureClusterTemplate;
        private FakeObject controlPlaneTemplate;
        private FakeObject controlPlaneInfrastructureTemplate;
        private final List<FakeMachineDeploymentClass> workers = new ArrayList<>();

        FakeClusterClass(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        FakeClusterClass withControlPlaneTemplate(FakeObject template) {
            controlPlaneTemplate = template;
            return this;
        }

        FakeClusterClass withControlPlaneInfrastructureTemplate(FakeObject template) {
            controlPlaneInfrastructureTemplate = template;
            return this;
        }

        FakeClusterClass withWorkerMachineDeploymentClasses(FakeMachineDeploymentClass... classes) {
            workers.addAll(List.of(classes));
            return this;
        }

        List<FakeObject> objs() {
            FakeObject clusterClass = new FakeObject(CLUSTER_API, "ClusterClass", namespace, name);
            Set<FakeObject> templates = new LinkedHashSet<>();
            templates.add(infrastructureClusterTemplate != null ? infrastructureClusterTemplate
                    : new FakeObject(INFRASTRUCTURE, "GenericInfrastructureClusterTemplate", namespace, name));
            templates.add(controlPlaneTemplate != null ? controlPlaneTemplate
                    : controlPlaneTemplate(namespace, name));
            if (controlPlaneInfrastructureTemplate != null) {
                templates.add(controlPlaneInfrastructureTemplate);
            }
            for (FakeMachineDeploymentClass worker : workers) {
                templates.add(worker.infrastructureTemplate());
                templates.add(worker.bootstrapTemplate());
            }
            templates.forEach(template -> template.ensureOwnedBy(clusterClass));
            List<FakeObject> objs = new ArrayList<>(templates);
            objs.add(clusterClass);
            return objs;
        }
    }

    /** {@code NewFakeMachineDeploymentClass}: the two templates a worker class names, its own unless given. */
    static final class FakeMachineDeploymentClass {

        private final String namespace;
        private final String className;
        private FakeObject infrastructureTemplate;
        private FakeObject bootstrapTemplate;

        FakeMachineDeploymentClass(String namespace, String className) {
            this.namespace = namespace;
            this.className = className;
        }

        FakeMachineDeploymentClass withInfrastructureMachineTemplate(FakeObject template) {
            infrastructureTemplate = template;
            return this;
        }

        FakeMachineDeploymentClass withBootstrapTemplate(FakeObject template) {
            bootstrapTemplate = template;
            return this;
        }

        FakeObject infrastructureTemplate() {
            if (infrastructureTemplate == null) {
                infrastructureTemplate = FakeObjects.infrastructureMachineTemplate(namespace, className);
            }
            return infrastructureTemplate;
        }

        FakeObject bootstrapTemplate() {
            if (bootstrapTemplate == null) {
                bootstrapTemplate = FakeObjects.bootstrapTemplate(namespace, className);
            }
            return bootstrapTemplate;
        }
    }
}
