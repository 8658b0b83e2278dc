package io.pivotplane.agent.core;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.k8s.CapiKinds;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.Condition;
import io.pivotplane.events.model.MachineCounts;
import io.pivotplane.events.model.WorkerPool;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 5 of the order of operations, and every change after it, inside the workload cluster: once the cluster's CAPI
 * objects have moved in and it is unpaused, sets the fields the spec owns (control-plane replicas and version, each
 * pool's replicas and version), creates what is new (pools, health checks) and deletes pools the spec no longer has.
 * It does so once per generation of the spec: between changes, an autoscaler's or an operator's edit of those fields
 * stands. Cluster API in this cluster rolls the machines. An upgrade goes control plane first: the pools get the new
 * version only once every control-plane machine runs it, since no kubelet may be newer than its API server (what
 * Cluster API's topology controller does for a ClusterClass; a plain MachineDeployment would roll at once). A change
 * is done when every machine is of the new size and version, ready.
 */
final class ClusterScaler {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterScaler.class);
    static final String CONDITION_SPEC_AVAILABLE = AgentReport.CONDITION_SPEC_AVAILABLE;
    static final String CONDITION_SELF_MANAGED = AgentReport.CONDITION_SELF_MANAGED;
    static final String CONDITION_SCALED = AgentReport.CONDITION_SCALED;
    static final String CONDITION_CHANGED = AgentReport.CONDITION_CHANGED;

    /** The end of a change the plane asked for with command {@code commandId}: rolled, or refused with why. */
    record ChangeEnd(String commandId, long generation, boolean applied, String message) {
    }

    /** What the agent saw and did in one look at its cluster. */
    record Observation(MachineCounts machines, List<Condition> conditions, boolean scaled, Optional<ChangeEnd> change) {

        Observation(MachineCounts machines, List<Condition> conditions, boolean scaled) {
            this(machines, conditions, scaled, Optional.empty());
        }
    }

    private final AgentConfig config;
    private final KubernetesClient client;

    ClusterScaler(AgentConfig config, KubernetesClient client) {
        this.config = config;
        this.client = client;
    }

    Observation reconcile() {
        List<Condition> conditions = new ArrayList<>();
        Instant now = Instant.now();
        ConfigMap specMap = specMap();
        Optional<ClusterSpec> found = DesiredSpecConfigMap.read(specMap);
        if (found.isEmpty()) {
            conditions.add(new Condition(CONDITION_SPEC_AVAILABLE, "False", "WaitingForPivot",
                    "the cluster's desired spec has not moved into this cluster yet", now));
            return new Observation(null, conditions, false);
        }
        ClusterSpec spec = found.get();
        conditions.add(new Condition(CONDITION_SPEC_AVAILABLE, "True", "Found", null, now));
        GenericKubernetesResource cluster = client.genericKubernetesResources(CapiKinds.CLUSTERS)
                .inNamespace(config.namespace()).withName(config.clusterName()).get();
        if (cluster == null || ObjectMaps.isTrue(cluster, "spec", "paused")) {
            conditions.add(new Condition(CONDITION_SELF_MANAGED, "False", "MoveInProgress",
                    "the Cluster is not yet unpaused in this cluster", now));
            return new Observation(counts(spec), conditions, false);
        }
        conditions.add(new Condition(CONDITION_SELF_MANAGED, "True", "Pivoted", null, now));
        long generation = DesiredSpecConfigMap.number(specMap, DesiredSpecConfigMap.GENERATION_KEY, 0);
        long applied = DesiredSpecConfigMap.number(specMap, DesiredSpecConfigMap.APPLIED_GENERATION_KEY, -1);
        String commandId = specMap.getData().get(DesiredSpecConfigMap.COMMAND_ID_KEY);
        Optional<ChangeEnd> end = Optional.empty();
        if (applied < generation) {
            try {
                apply(spec, generation);
                record(DesiredSpecConfigMap.APPLIED_GENERATION_KEY, generation);
                LOG.info("Cluster {}: spec generation {} applied to its CAPI objects", config.clusterName(),
                        generation);
            } catch (KubernetesClientException e) {
                if (!refused(e) || commandId == null) {
                    throw e;
                }
                // the API server refuses the change itself: trying again would be refused again
                String why = "the cluster's API server refused the change: " + e.getMessage();
                record(DesiredSpecConfigMap.APPLIED_GENERATION_KEY, generation);
                end = Optional.of(new ChangeEnd(commandId, generation, false, why));
                conditions.add(new Condition(CONDITION_CHANGED, "False", "Refused", why, now));
            }
        }
        MachineCounts counts = counts(spec);
        boolean scaled = counts.controlPlaneReady() == counts.controlPlaneDesired()
                && counts.workersReady() == counts.workersDesired();
        conditions.add(new Condition(CONDITION_SCALED, scaled ? "True" : "False",
                scaled ? "AllMachinesReady" : "ScalingUp", counts.toString(), now));
        long poolsVersioned = DesiredSpecConfigMap.number(specMap, DesiredSpecConfigMap.POOLS_VERSIONED_KEY, -1);
        if (end.isEmpty() && applied >= generation && poolsVersioned < generation
                && controlPlaneRunsVersion(spec)) {
            setPoolVersions(spec, generation);
            record(DesiredSpecConfigMap.POOLS_VERSIONED_KEY, generation);
            poolsVersioned = generation;
        }
        long reported = DesiredSpecConfigMap.number(specMap, DesiredSpecConfigMap.REPORTED_GENERATION_KEY, 0);
        if (end.isEmpty() && commandId != null && reported < generation) {
            Optional<String> rolling = poolsVersioned < generation
                    ? Optional.of("the pools wait for every control-plane machine to run "
                    + spec.kubernetesVersion()) : stillRolling(spec);
            conditions.add(rolling.map(what -> new Condition(CONDITION_CHANGED, "False", "RollingOut", what, now))
                    .orElseGet(() -> new Condition(CONDITION_CHANGED, "True", "RolledOut", null, now)));
            if (rolling.isEmpty()) {
                end = Optional.of(new ChangeEnd(commandId, generation, true, null));
            }
        }
        return new Observation(counts, conditions, scaled, end);
    }

    /**
     * Takes the spec of a change the plane sent, unless the cluster has that generation or a newer one already (a
     * command read again after a restart).
     *
     * @return whether the spec is new
     */
    boolean accept(ClusterSpec spec, long generation, String commandId) {
        ConfigMap specMap = specMap();
        if (specMap == null) {
            throw new IllegalStateException("the cluster's desired spec has not moved into this cluster yet");
        }
        if (DesiredSpecConfigMap.number(specMap, DesiredSpecConfigMap.GENERATION_KEY, 0) >= generation) {
            return false;
        }
        client.configMaps().inNamespace(config.namespace()).withName(specMap.getMetadata().getName()).edit(map -> {
            Map<String, String> data = new HashMap<>(map.getData());
            data.put(DesiredSpecConfigMap.SPEC_KEY, DesiredSpecConfigMap.render(config.clusterId(), spec).getData()
                    .get(DesiredSpecConfigMap.SPEC_KEY));
            data.put(DesiredSpecConfigMap.GENERATION_KEY, Long.toString(generation));
            data.put(DesiredSpecConfigMap.COMMAND_ID_KEY, commandId);
            map.setData(data);
            return map;
        });
        return true;
    }

    /** Notes that the end of the change of {@code generation} is reported, so that it is reported once. */
    void reported(long generation) {
        record(DesiredSpecConfigMap.REPORTED_GENERATION_KEY, generation);
    }

    private ConfigMap specMap() {
        return client.configMaps().inNamespace(config.namespace())
                .withName(DesiredSpecConfigMap.name(config.clusterName())).get();
    }

    private void record(String key, long generation) {
        client.configMaps().inNamespace(config.namespace()).withName(DesiredSpecConfigMap.name(config.clusterName()))
                .edit(map -> {
                    Map<String, String> data = new HashMap<>(map.getData());
                    data.put(key, Long.toString(generation));
                    map.setData(data);
                    return map;
                });
    }

    /** A refusal by validation or admission, which the same request meets again; not a conflict or a busy server. */
    static boolean refused(KubernetesClientException e) {
        int code = e.getCode();
        return code >= 400 && code < 500 && code != HttpURLConnection.HTTP_CONFLICT && code != 429
                && code != HttpURLConnection.HTTP_CLIENT_TIMEOUT;
    }

    private void apply(ClusterSpec spec, long generation) {
        boolean noUpgradePending = controlPlaneRunsVersion(spec);
        // what the pools may run now: the control plane's version until it runs the spec's
        String poolVersion = noUpgradePending ? spec.kubernetesVersion()
                : Optional.ofNullable(controlPlaneOf()).flatMap(cp -> ObjectMaps.string(cp, "status", "version"))
                .orElse(spec.kubernetesVersion());
        var renderer = Renderers.forProvider(spec.infrastructure().provider());
        Set<String> builtByManagement = renderer.render(config.clusterId(), spec, RenderPhase.MANAGEMENT).stream()
                .map(ClusterScaler::key).collect(Collectors.toSet());
        List<GenericKubernetesResource> rendered = renderer.render(config.clusterId(), spec, RenderPhase.FULL);
        Map<String, GenericKubernetesResource> byKey = rendered.stream()
                .collect(Collectors.toMap(ClusterScaler::key, object -> object, (a, b) -> a));
        Set<String> deployments = new java.util.HashSet<>();
        for (GenericKubernetesResource object : rendered) {
            String kind = object.getKind();
            if (Capi.KUBEADM_CONTROL_PLANE.equals(kind)) {
                Map<List<String>, Object> owned = new HashMap<>(Map.of(
                        List.of("spec", "replicas"), spec.controlPlane().replicas(),
                        List.of("spec", "version"), spec.kubernetesVersion()));
                templateRoll(CapiKinds.KUBEADM_CONTROL_PLANES, object, KCP_TEMPLATE_REF, byKey, generation)
                        .ifPresent(name -> owned.put(KCP_TEMPLATE_REF_NAME, name));
                setOwnedFields(CapiKinds.KUBEADM_CONTROL_PLANES, object.getMetadata().getName(), owned);
            } else if (Capi.MACHINE_DEPLOYMENT.equals(kind)) {
                deployments.add(object.getMetadata().getName());
                Map<List<String>, Object> owned = new HashMap<>(Map.of(List.of("spec", "replicas"),
                        ObjectMaps.integer(object, 0, "spec", "replicas")));
                if (noUpgradePending) {
                    // with an upgrade, the pool's machines change with its version, after the control plane's
                    templateRoll(CapiKinds.MACHINE_DEPLOYMENTS, object, MD_TEMPLATE_REF, byKey, generation)
                            .ifPresent(name -> owned.put(MD_TEMPLATE_REF_NAME, name));
                }
                if (!setOwnedFields(CapiKinds.MACHINE_DEPLOYMENTS, object.getMetadata().getName(), owned)) {
                    ObjectMaps.mapAt(object, "spec", "template", "spec").put("version", poolVersion);
                    DesiredState.ensure(client, object);
                }
            } else if (Capi.MACHINE_HEALTH_CHECK.equals(kind)) {
                DesiredState.ensure(client, object);
            } else if (!builtByManagement.contains(key(object)) && client.resource(object).get() == null) {
                // templates are immutable: one that exists stays as it is (a changed one is rolled, above)
                DesiredState.ensure(client, object);
            }
        }
        removePoolsOtherThan(deployments);
    }

    private static final String[] KCP_TEMPLATE_REF = {"spec", "machineTemplate", "infrastructureRef"};
    private static final List<String> KCP_TEMPLATE_REF_NAME = List.of("spec", "machineTemplate", "infrastructureRef",
            "name");
    private static final String[] MD_TEMPLATE_REF = {"spec", "template", "spec", "infrastructureRef"};
    private static final List<String> MD_TEMPLATE_REF_NAME = List.of("spec", "template", "spec", "infrastructureRef",
            "name");

    /**
     * The machine template {@code owner} (a KubeadmControlPlane or MachineDeployment) is to use when the one it uses
     * no longer holds what the spec renders: a new template, named after the rendered one and the generation, which
     * Cluster API rolls the machines to (templates are immutable; what the topology controller does for a
     * ClusterClass). Empty when the template in use holds every rendered field, or the owner does not exist yet.
     */
    private Optional<String> templateRoll(io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext ownerKind,
                                          GenericKubernetesResource renderedOwner, String[] refPath,
                                          Map<String, GenericKubernetesResource> rendered, long generation) {
        GenericKubernetesResource owner = client.genericKubernetesResources(ownerKind).inNamespace(config.namespace())
                .withName(renderedOwner.getMetadata().getName()).get();
        Optional<Map<?, ?>> wanted = ObjectMaps.at(renderedOwner, refPath).filter(Map.class::isInstance)
                .map(Map.class::cast);
        Optional<Map<?, ?>> used = owner == null ? Optional.empty() : ObjectMaps.at(owner, refPath)
                .filter(Map.class::isInstance).map(Map.class::cast);
        if (wanted.isEmpty() || used.isEmpty()) {
            return Optional.empty();
        }
        GenericKubernetesResource template = rendered.get(wanted.get().get("kind") + "/" + wanted.get().get("name"));
        if (template == null) {
            return Optional.empty();
        }
        GenericKubernetesResource inUse = client.genericKubernetesResources(String.valueOf(used.get().get("apiVersion")),
                String.valueOf(used.get().get("kind"))).inNamespace(config.namespace())
                .withName(String.valueOf(used.get().get("name"))).get();
        Object wantedSpec = ObjectMaps.at(template, "spec").orElse(Map.of());
        if (inUse != null && holds(ObjectMaps.at(inUse, "spec").orElse(Map.of()), wantedSpec)) {
            return Optional.empty();
        }
        String name = template.getMetadata().getName() + "-g" + generation;
        GenericKubernetesResource rolled = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder(template)
                .editMetadata().withName(name).endMetadata().build();
        if (client.resource(rolled).get() == null) {
            DesiredState.ensure(client, rolled);
        }
        LOG.info("Cluster {}: {} {} rolls to machine template {}", config.clusterName(), renderedOwner.getKind(),
                renderedOwner.getMetadata().getName(), name);
        return Optional.of(name);
    }

    /** Whether {@code actual} has every field of {@code wanted} as it is there; fields the server added are not asked. */
    private static boolean holds(Object actual, Object wanted) {
        if (wanted instanceof Map<?, ?> wantedMap) {
            return actual instanceof Map<?, ?> actualMap && wantedMap.entrySet().stream()
                    .allMatch(field -> holds(actualMap.get(field.getKey()), field.getValue()));
        }
        if (wanted instanceof Number wantedNumber && actual instanceof Number actualNumber) {
            return wantedNumber.doubleValue() == actualNumber.doubleValue();
        }
        return Objects.equals(actual, wanted);
    }

    /** Whether every control-plane machine runs the spec's version: the pools may follow. */
    private boolean controlPlaneRunsVersion(ClusterSpec spec) {
        GenericKubernetesResource controlPlane = controlPlaneOf();
        return controlPlane != null && spec.kubernetesVersion().equals(ObjectMaps.string(controlPlane, "spec", "version")
                .orElse(null)) && upToDate(controlPlane, ObjectMaps.integer(controlPlane, -1, "spec", "replicas"))
                && spec.kubernetesVersion().equals(ObjectMaps.string(controlPlane, "status", "version").orElse(null));
    }

    /** Each pool's version, with the machine template built for it when that changed too: one roll per pool. */
    private void setPoolVersions(ClusterSpec spec, long generation) {
        List<GenericKubernetesResource> rendered = Renderers.forProvider(spec.infrastructure().provider())
                .render(config.clusterId(), spec, RenderPhase.FULL);
        Map<String, GenericKubernetesResource> byKey = rendered.stream()
                .collect(Collectors.toMap(ClusterScaler::key, object -> object, (a, b) -> a));
        for (GenericKubernetesResource deployment : rendered) {
            if (!Capi.MACHINE_DEPLOYMENT.equals(deployment.getKind())) {
                continue;
            }
            Map<List<String>, Object> owned = new HashMap<>(Map.of(
                    List.of("spec", "template", "spec", "version"), spec.kubernetesVersion()));
            templateRoll(CapiKinds.MACHINE_DEPLOYMENTS, deployment, MD_TEMPLATE_REF, byKey, generation)
                    .ifPresent(name -> owned.put(MD_TEMPLATE_REF_NAME, name));
            setOwnedFields(CapiKinds.MACHINE_DEPLOYMENTS, deployment.getMetadata().getName(), owned);
        }
    }

    /**
     * Sets the fields the spec owns in an existing object, leaving everything else as others set it.
     *
     * @return false when there is no such object
     */
    private boolean setOwnedFields(io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext kind, String name,
                                   Map<List<String>, Object> fields) {
        var resource = client.genericKubernetesResources(kind).inNamespace(config.namespace()).withName(name);
        GenericKubernetesResource current = resource.get();
        if (current == null) {
            return false;
        }
        boolean differs = fields.entrySet().stream().anyMatch(field -> !Objects.equals(
                ObjectMaps.at(current, field.getKey().toArray(String[]::new)).orElse(null), field.getValue()));
        if (differs) {
            resource.edit(object -> {
                fields.forEach((path, value) -> ObjectMaps.mapAt(object, path.subList(0, path.size() - 1)
                        .toArray(String[]::new)).put(path.get(path.size() - 1), value));
                return object;
            });
        }
        return true;
    }

    /**
     * Deletes the pools of this cluster that the spec no longer has: their MachineDeployment (Cluster API drains and
     * deletes the machines), its health check and the templates it was made from, which nothing else uses.
     */
    private void removePoolsOtherThan(Set<String> desired) {
        for (GenericKubernetesResource deployment : client.genericKubernetesResources(CapiKinds.MACHINE_DEPLOYMENTS)
                .inNamespace(config.namespace()).withLabel(Capi.CLUSTER_ID_LABEL, config.clusterId()).list()
                .getItems()) {
            String name = deployment.getMetadata().getName();
            if (desired.contains(name)) {
                continue;
            }
            LOG.info("Cluster {}: removing pool {}, which its spec no longer has", config.clusterName(), name);
            client.resource(deployment).delete();
            client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.MACHINE_HEALTH_CHECK)
                    .inNamespace(config.namespace()).withName(name + "-unhealthy").delete();
            for (String[] path : List.of(new String[] {"spec", "template", "spec", "infrastructureRef"},
                    new String[] {"spec", "template", "spec", "bootstrap", "configRef"})) {
                ObjectMaps.at(deployment, path).filter(Map.class::isInstance).map(Map.class::cast)
                        .ifPresent(reference -> client.genericKubernetesResources(
                                        String.valueOf(reference.get("apiVersion")), String.valueOf(reference.get("kind")))
                                .inNamespace(config.namespace()).withName(String.valueOf(reference.get("name")))
                                .delete());
            }
        }
    }

    /** What is still rolling towards the spec, or empty when every machine is of its size and version, ready. */
    private Optional<String> stillRolling(ClusterSpec spec) {
        String version = spec.kubernetesVersion();
        GenericKubernetesResource controlPlane = controlPlaneOf();
        if (controlPlane == null) {
            return Optional.of("no control plane found");
        }
        int desired = spec.controlPlane().replicas();
        if (!upToDate(controlPlane, desired) || !version.equals(ObjectMaps.string(controlPlane, "status", "version")
                .orElse(null))) {
            return Optional.of("control plane: " + progress(controlPlane, desired) + ", at "
                    + ObjectMaps.string(controlPlane, "status", "version").orElse("no version yet") + " of " + version);
        }
        Map<String, GenericKubernetesResource> deployments = client.genericKubernetesResources(
                        CapiKinds.MACHINE_DEPLOYMENTS).inNamespace(config.namespace())
                .withLabel(Capi.CLUSTER_ID_LABEL, config.clusterId()).list().getItems().stream()
                .collect(Collectors.toMap(d -> d.getMetadata().getName(), d -> d));
        for (WorkerPool pool : spec.workerPools()) {
            GenericKubernetesResource deployment = deployments.remove(spec.name() + "-" + pool.name());
            if (deployment == null) {
                return Optional.of("pool " + pool.name() + ": no MachineDeployment yet");
            }
            if (!upToDate(deployment, pool.replicas())) {
                return Optional.of("pool " + pool.name() + ": " + progress(deployment, pool.replicas()));
            }
        }
        if (!deployments.isEmpty()) {
            return Optional.of("removing pool(s) " + String.join(", ", deployments.keySet()));
        }
        return Optional.empty();
    }

    /** Cluster API's own view: the controller has seen the object's spec, and every machine is updated and ready. */
    private static boolean upToDate(GenericKubernetesResource object, int desired) {
        Long generation = object.getMetadata().getGeneration();
        int observed = ObjectMaps.integer(object, -1, "status", "observedGeneration");
        return (generation == null || observed >= generation)
                && ObjectMaps.integer(object, -1, "spec", "replicas") == desired
                && ObjectMaps.integer(object, -1, "status", "replicas") == desired
                && ObjectMaps.integer(object, -1, "status", "updatedReplicas") == desired
                && ObjectMaps.integer(object, -1, "status", "readyReplicas") == desired;
    }

    private static String progress(GenericKubernetesResource object, int desired) {
        return ObjectMaps.integer(object, 0, "status", "updatedReplicas") + " of " + desired + " machines updated, "
                + ObjectMaps.integer(object, 0, "status", "readyReplicas") + " ready, "
                + ObjectMaps.integer(object, 0, "status", "replicas") + " in all";
    }

    private MachineCounts counts(ClusterSpec spec) {
        GenericKubernetesResource controlPlane = controlPlaneOf();
        int controlPlaneReady = controlPlane == null ? 0 : ObjectMaps.integer(controlPlane, 0, "status", "readyReplicas");
        int workersReady = client.genericKubernetesResources(CapiKinds.MACHINE_DEPLOYMENTS)
                .inNamespace(config.namespace()).withLabel(Capi.CLUSTER_NAME_LABEL, config.clusterName())
                .list().getItems().stream()
                .mapToInt(deployment -> ObjectMaps.integer(deployment, 0, "status", "readyReplicas")).sum();
        int workersDesired = spec.workerPools().stream().mapToInt(WorkerPool::replicas).sum();
        return new MachineCounts(spec.controlPlane().replicas(), controlPlaneReady, workersDesired, workersReady);
    }

    /** The KubeadmControlPlane the Cluster refers to: its name follows the provider's upstream template. */
    private GenericKubernetesResource controlPlaneOf() {
        GenericKubernetesResource cluster = client.genericKubernetesResources(CapiKinds.CLUSTERS)
                .inNamespace(config.namespace()).withName(config.clusterName()).get();
        return cluster == null ? null : ObjectMaps.string(cluster, "spec", "controlPlaneRef", "name")
                .map(name -> client.genericKubernetesResources(CapiKinds.KUBEADM_CONTROL_PLANES)
                        .inNamespace(config.namespace()).withName(name).get())
                .orElse(null);
    }

    private static String key(GenericKubernetesResource object) {
        return object.getKind() + "/" + object.getMetadata().getName();
    }
}
