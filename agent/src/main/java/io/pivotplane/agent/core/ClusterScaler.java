package io.pivotplane.agent.core;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.k8s.CapiKinds;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.Condition;
import io.pivotplane.events.model.MachineCounts;
import io.pivotplane.events.model.WorkerPool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Step 5 of the order of operations, inside the workload cluster: once the cluster's CAPI objects have moved in
 * and it is unpaused, scale the control plane to its desired replicas and create the worker pools.
 */
final class ClusterScaler {

    static final String CONDITION_SPEC_AVAILABLE = "SpecAvailable";
    static final String CONDITION_SELF_MANAGED = "SelfManaged";
    static final String CONDITION_SCALED = "Scaled";

    /** What the agent saw and did in one look at its cluster. */
    record Observation(MachineCounts machines, List<Condition> conditions, boolean scaled) {
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
        ConfigMap specMap = client.configMaps().inNamespace(config.namespace())
                .withName(DesiredSpecConfigMap.name(config.clusterName())).get();
        Optional<ClusterSpec> spec = DesiredSpecConfigMap.read(specMap);
        if (spec.isEmpty()) {
            conditions.add(new Condition(CONDITION_SPEC_AVAILABLE, "False", "WaitingForPivot",
                    "the cluster's desired spec has not moved into this cluster yet", now));
            return new Observation(null, conditions, false);
        }
        conditions.add(new Condition(CONDITION_SPEC_AVAILABLE, "True", "Found", null, now));
        GenericKubernetesResource cluster = client.genericKubernetesResources(CapiKinds.CLUSTERS)
                .inNamespace(config.namespace()).withName(config.clusterName()).get();
        if (cluster == null || ObjectMaps.isTrue(cluster, "spec", "paused")) {
            conditions.add(new Condition(CONDITION_SELF_MANAGED, "False", "MoveInProgress",
                    "the Cluster is not yet unpaused in this cluster", now));
            return new Observation(counts(spec.get()), conditions, false);
        }
        conditions.add(new Condition(CONDITION_SELF_MANAGED, "True", "Pivoted", null, now));
        scale(spec.get());
        MachineCounts counts = counts(spec.get());
        boolean scaled = counts.controlPlaneReady() == counts.controlPlaneDesired()
                && counts.workersReady() == counts.workersDesired();
        conditions.add(new Condition(CONDITION_SCALED, scaled ? "True" : "False",
                scaled ? "AllMachinesReady" : "ScalingUp", counts.toString(), now));
        return new Observation(counts, conditions, scaled);
    }

    private void scale(ClusterSpec spec) {
        var renderer = Renderers.forProvider(spec.infrastructure().provider());
        Set<String> builtByManagement = renderer.render(config.clusterId(), spec, RenderPhase.MANAGEMENT).stream()
                .map(ClusterScaler::key).collect(Collectors.toSet());
        for (GenericKubernetesResource object : renderer.render(config.clusterId(), spec, RenderPhase.FULL)) {
            if (Capi.KUBEADM_CONTROL_PLANE.equals(object.getKind())) {
                scaleControlPlane(object.getMetadata().getName(), spec.controlPlane().replicas());
            } else if (!builtByManagement.contains(key(object))) {
                DesiredState.ensure(client, object);
            }
        }
    }

    private void scaleControlPlane(String name, int replicas) {
        var controlPlane = client.genericKubernetesResources(CapiKinds.KUBEADM_CONTROL_PLANES)
                .inNamespace(config.namespace()).withName(name);
        GenericKubernetesResource current = controlPlane.get();
        if (current != null && ObjectMaps.integer(current, -1, "spec", "replicas") != replicas) {
            controlPlane.edit(kcp -> {
                ObjectMaps.mapAt(kcp, "spec").put("replicas", replicas);
                return kcp;
            });
        }
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
