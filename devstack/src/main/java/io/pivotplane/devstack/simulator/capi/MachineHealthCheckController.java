package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.GoDuration;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CAPI's MachineHealthCheck controller ({@code internal/controllers/machinehealthcheck}): of the Machines its selector
 * picks in its cluster, one is unhealthy when it has a failure, carries the remediate-machine annotation, got no Node
 * within {@code nodeStartupTimeout} (counted from the latest of the Cluster's infrastructure being ready, its control
 * plane initialized and the Machine's creation), lost its Node, or its Node reports one of
 * {@code unhealthyConditions} for longer than that condition's timeout. Each target gets
 * {@code HealthCheckSucceeded}; an unhealthy one also {@code OwnerRemediated=False}, for its MachineSet or control
 * plane to replace it, unless more than {@code maxUnhealthy} of the targets are unhealthy: then none is remediated and
 * {@code RemediationAllowed} says why. It looks again when the next timeout would pass.
 */
final class MachineHealthCheckController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(MachineHealthCheckController.class);
    static final String REMEDIATE_MACHINE_ANNOTATION = "cluster.x-k8s.io/remediate-machine";
    private static final Set<String> WATCHES = Set.of(Capi.MACHINE_HEALTH_CHECK, Capi.MACHINE, Capi.CLUSTER);
    private static final Duration DEFAULT_NODE_STARTUP = Duration.ofMinutes(10);

    /** A target's health: unhealthy with a reason, or healthy until {@code recheck} at the latest. */
    private record Health(String reason, String message, Duration recheck) {

        static Health healthy(Duration recheck) {
            return new Health(null, null, recheck);
        }

        static Health unhealthy(String reason, String message) {
            return new Health(reason, message, null);
        }

        boolean isHealthy() {
            return reason == null;
        }
    }

    MachineHealthCheckController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.CORE;
    }

    @Override
    Set<String> watches() {
        return WATCHES;
    }

    @Override
    boolean watchesWorkloads() {
        return true;
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        GenericKubernetesResource cluster = api.get(Kind.CLUSTER, key.namespace(), key.name());
        if (cluster == null || Api.deleting(cluster)) {
            return done();
        }
        Optional<Duration> again = done();
        for (GenericKubernetesResource check : api.ofCluster(Kind.MACHINE_HEALTH_CHECK, key.namespace(), key.name())) {
            if (Api.deleting(check) || Clusters.paused(cluster, check)) {
                continue;
            }
            Optional<Duration> next = reconcile(check, cluster);
            if (next.isPresent() && (again.isEmpty() || next.get().compareTo(again.get()) < 0)) {
                again = next;
            }
        }
        return again;
    }

    private Optional<Duration> reconcile(GenericKubernetesResource unowned, GenericKubernetesResource cluster) {
        // the Cluster owns its health checks: they go with it, and move with it
        GenericKubernetesResource check = Api.ownedBy(unowned, cluster) ? unowned
                : api.change(Kind.MACHINE_HEALTH_CHECK, unowned, mhc -> {
                    Api.ensureOwnerReference(mhc, Api.ownerReference(cluster, false));
                    return mhc;
                });
        String clusterName = ObjectMaps.string(check, "spec", "clusterName").orElse(cluster.getMetadata().getName());
        Map<String, String> selector = new LinkedHashMap<>(Templates.stringMap(
                ObjectMaps.at(check, "spec", "selector", "matchLabels").orElse(null)));
        selector.put(Capi.CLUSTER_NAME_LABEL, clusterName);
        List<GenericKubernetesResource> targets = api.list(Kind.MACHINE, check.getMetadata().getNamespace(), selector)
                .stream().filter(machine -> !Api.deleting(machine)).toList();
        Optional<KubernetesClient> workload = host.remote().workload(Key.of(cluster)).map(ClusterApi::client);
        Instant now = Instant.now();
        Map<GenericKubernetesResource, Health> health = new LinkedHashMap<>();
        for (GenericKubernetesResource machine : targets) {
            health.put(machine, health(machine, check, cluster, workload, now));
        }
        long unhealthy = health.values().stream().filter(h -> !h.isHealthy()).count();
        int maxUnhealthy = maxUnhealthy(check, targets.size());
        boolean remediationAllowed = unhealthy <= maxUnhealthy;
        Duration again = null;
        for (Map.Entry<GenericKubernetesResource, Health> target : health.entrySet()) {
            Health result = target.getValue();
            markMachine(target.getKey(), result, remediationAllowed);
            if (result.recheck() != null && (again == null || result.recheck().compareTo(again) < 0)) {
                again = result.recheck();
            }
        }
        writeStatus(check, targets, unhealthy, maxUnhealthy, remediationAllowed);
        return Optional.ofNullable(again);
    }

    private Health health(GenericKubernetesResource machine, GenericKubernetesResource check,
                          GenericKubernetesResource cluster, Optional<KubernetesClient> workload, Instant now) {
        Optional<String> failure = ObjectMaps.string(machine, "status", "failureReason");
        if (failure.isPresent()) {
            return Health.unhealthy("MachineHasFailure", "FailureReason: " + failure.get());
        }
        if (Api.annotations(machine).containsKey(REMEDIATE_MACHINE_ANNOTATION)) {
            return Health.unhealthy("HasRemediateMachineAnnotation", "Marked for remediation via"
                    + " remediate-machine annotation");
        }
        Optional<String> nodeName = ObjectMaps.string(machine, "status", "nodeRef", "name");
        if (nodeName.isEmpty()) {
            return nodeStartup(machine, check, cluster, now);
        }
        if (workload.isEmpty()) {
            // the cluster's API cannot be read: nothing is known of its nodes, and nothing is remediated for it
            return Health.healthy(Duration.ofSeconds(10));
        }
        Node node = workload.get().nodes().withName(nodeName.get()).get();
        if (node == null) {
            return Health.unhealthy("NodeNotFound", "Node " + nodeName.get() + " not found");
        }
        Duration recheck = null;
        for (Object item : ObjectMaps.at(check, "spec", "unhealthyConditions").filter(List.class::isInstance)
                .map(List.class::cast).orElse(List.of())) {
            Map<?, ?> unhealthyCondition = (Map<?, ?>) item;
            String type = String.valueOf(unhealthyCondition.get("type"));
            String status = String.valueOf(unhealthyCondition.get("status"));
            Duration timeout = GoDuration.parse(String.valueOf(unhealthyCondition.get("timeout"))).orElse(Duration.ZERO);
            Optional<NodeCondition> condition = node.getStatus() == null || node.getStatus().getConditions() == null
                    ? Optional.empty() : node.getStatus().getConditions().stream()
                    .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus())).findFirst();
            if (condition.isEmpty()) {
                continue;
            }
            Instant since = Instant.parse(condition.get().getLastTransitionTime());
            Duration left = Duration.between(now, since.plus(timeout));
            if (left.isNegative() || left.isZero()) {
                return Health.unhealthy("UnhealthyNode", "Condition " + type + " on node is reporting status "
                        + status + " for more than " + unhealthyCondition.get("timeout"));
            }
            recheck = recheck == null || left.compareTo(recheck) < 0 ? left : recheck;
        }
        return Health.healthy(recheck);
    }

    /** No Node yet: unhealthy once the startup timeout passed since the machine could have started one. */
    private Health nodeStartup(GenericKubernetesResource machine, GenericKubernetesResource check,
                               GenericKubernetesResource cluster, Instant now) {
        Duration timeout = ObjectMaps.string(check, "spec", "nodeStartupTimeout").flatMap(GoDuration::parse)
                .orElse(DEFAULT_NODE_STARTUP);
        if (timeout.isZero()) {
            return Health.healthy(null);
        }
        Conditions clusterConditions = Conditions.of(cluster);
        if (!clusterConditions.isTrue(Capi.CONDITION_INFRASTRUCTURE_READY)
                || !clusterConditions.isTrue(Capi.CONDITION_CONTROL_PLANE_INITIALIZED)) {
            // nothing can join a cluster without infrastructure or control plane: its machines are not timed yet
            return Health.healthy(null);
        }
        Instant from = Instant.parse(machine.getMetadata().getCreationTimestamp());
        for (String type : List.of(Capi.CONDITION_INFRASTRUCTURE_READY, Capi.CONDITION_CONTROL_PLANE_INITIALIZED)) {
            Object since = clusterConditions.get(type).map(c -> c.get("lastTransitionTime")).orElse(null);
            if (since != null && Instant.parse(since.toString()).isAfter(from)) {
                from = Instant.parse(since.toString());
            }
        }
        Duration left = Duration.between(now, from.plus(timeout));
        if (left.isNegative() || left.isZero()) {
            return Health.unhealthy("NodeStartupTimeout", "Node failed to report startup in " + timeout.toSeconds()
                    + "s");
        }
        return Health.healthy(left);
    }

    private void markMachine(GenericKubernetesResource machine, Health health, boolean remediationAllowed) {
        GenericKubernetesResource current = api.get(Kind.MACHINE, machine.getMetadata().getNamespace(),
                machine.getMetadata().getName());
        if (current == null) {
            return;
        }
        Conditions conditions = Conditions.of(current);
        if (health.isHealthy()) {
            conditions.markTrue(Capi.CONDITION_HEALTH_CHECK_SUCCEEDED);
        } else {
            conditions.markFalse(Capi.CONDITION_HEALTH_CHECK_SUCCEEDED, health.reason(), Conditions.WARNING,
                    health.message());
            if (remediationAllowed && !conditions.get(Capi.CONDITION_OWNER_REMEDIATED).isPresent()) {
                LOG.info("[{}] Machine {} is unhealthy ({}: {}): its owner replaces it", host.name(),
                        Key.of(current), health.reason(), health.message());
                conditions.markFalse(Capi.CONDITION_OWNER_REMEDIATED, "WaitingForRemediation", Conditions.WARNING,
                        null);
            }
        }
        Map<String, Object> status = new LinkedHashMap<>(Api.normalized(current.getAdditionalProperties()
                .get("status")));
        status.put("conditions", conditions.toList());
        api.writeStatus(Kind.MACHINE, current, status);
    }

    private void writeStatus(GenericKubernetesResource check, List<GenericKubernetesResource> targets, long unhealthy,
                             int maxUnhealthy, boolean remediationAllowed) {
        Conditions conditions = Conditions.of(check);
        if (remediationAllowed) {
            conditions.markTrue("RemediationAllowed");
        } else {
            conditions.markFalse("RemediationAllowed", "TooManyUnhealthy", Conditions.WARNING,
                    "Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy"
                            + " (total: " + targets.size() + ", unhealthy: " + unhealthy + ", maxUnhealthy: "
                            + ObjectMaps.at(check, "spec", "maxUnhealthy").map(Object::toString).orElse("100%")
                            + ")");
        }
        Map<String, Object> status = new LinkedHashMap<>(Api.normalized(check.getAdditionalProperties().get("status")));
        status.put("expectedMachines", targets.size());
        status.put("currentHealthy", (int) (targets.size() - unhealthy));
        status.put("remediationsAllowed", (int) Math.max(0, maxUnhealthy - unhealthy));
        status.put("observedGeneration", check.getMetadata().getGeneration());
        List<String> names = new ArrayList<>(targets.stream().map(m -> m.getMetadata().getName()).sorted().toList());
        status.put("targets", names);
        status.put("conditions", conditions.toList());
        api.writeStatus(Kind.MACHINE_HEALTH_CHECK, check, status);
    }

    /** {@code intstr.GetScaledValueFromIntOrPercent(maxUnhealthy, total, false)}: a percentage rounds down. */
    private static int maxUnhealthy(GenericKubernetesResource check, int targets) {
        Object value = ObjectMaps.at(check, "spec", "maxUnhealthy").orElse("100%");
        String text = Objects.toString(value);
        if (text.endsWith("%")) {
            return (int) Math.floor(targets * Integer.parseInt(text.substring(0, text.length() - 1)) / 100.0);
        }
        return Integer.parseInt(text);
    }
}
