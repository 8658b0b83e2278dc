package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The status the Deployment and DaemonSet controllers write, computed from their pods as they compute it
 * ({@code pkg/controller/deployment/sync.go calculateStatus}, {@code daemon_controller.go updateDaemonSetStatus}).
 */
final class WorkloadStatus {

    private WorkloadStatus() {
    }

    /**
     * A Deployment's status: counts of its pods (all, of the current template, ready, available), and conditions
     * Available (at least replicas minus maxUnavailable available), Progressing and, when its pods cannot be created,
     * ReplicaFailure.
     */
    static DeploymentStatus deployment(Deployment deployment, PodTemplate template, List<Pods.Pod> pods,
                                       Optional<String> failure, long now) {
        int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
        int minReady = Objects.requireNonNullElse(deployment.getSpec().getMinReadySeconds(), 0);
        int updated = (int) pods.stream().filter(p -> p.template.equals(template.hash())).count();
        int ready = (int) pods.stream().filter(p -> p.running).count();
        int available = (int) pods.stream().filter(p -> p.available(now, minReady)).count();
        int unavailable = Math.max(0, Math.max(replicas, pods.size()) - available);
        boolean rolling = deployment.getSpec().getStrategy() == null
                || !"Recreate".equals(deployment.getSpec().getStrategy().getType());
        int maxUnavailable = rolling && replicas > 0 ? Pods.fenceposts(deployment, replicas)[1] : 0;
        List<DeploymentCondition> previous = deployment.getStatus() == null ? List.of()
                : Objects.requireNonNullElse(deployment.getStatus().getConditions(), List.of());
        List<DeploymentCondition> conditions = new ArrayList<>();
        String replicaSet = deployment.getMetadata().getName() + "-" + template.hash();
        conditions.add(available >= replicas - maxUnavailable
                ? condition(previous, "Available", "True", "MinimumReplicasAvailable",
                "Deployment has minimum availability.")
                : condition(previous, "Available", "False", "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability."));
        boolean complete = updated == replicas && pods.size() == replicas && available == replicas;
        conditions.add(complete
                ? condition(previous, "Progressing", "True", "NewReplicaSetAvailable",
                "ReplicaSet \"" + replicaSet + "\" has successfully progressed.")
                : condition(previous, "Progressing", "True", "ReplicaSetUpdated",
                "ReplicaSet \"" + replicaSet + "\" is progressing."));
        failure.ifPresent(message -> conditions.add(condition(previous, "ReplicaFailure", "True", "FailedCreate",
                message)));
        return new DeploymentStatusBuilder()
                .withObservedGeneration(deployment.getMetadata().getGeneration())
                .withReplicas(pods.size())
                .withUpdatedReplicas(updated)
                .withReadyReplicas(ready)
                .withAvailableReplicas(available)
                .withUnavailableReplicas(unavailable)
                .withConditions(conditions)
                .build();
    }

    /**
     * A DaemonSet's status: over the nodes that should run its pod, how many do (scheduled), are ready, available
     * and of the current template, and how many run it where they should not (misscheduled).
     */
    static DaemonSetStatus daemonSet(DaemonSet daemonSet, PodTemplate template, List<Pods.Pod> pods, List<Node> nodes,
                                     long now) {
        int minReady = Objects.requireNonNullElse(daemonSet.getSpec().getMinReadySeconds(), 0);
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int available = 0;
        int updated = 0;
        for (Node node : nodes) {
            String name = node.getMetadata().getName();
            boolean shouldRun = Pods.shouldRun(template, template.daemonTolerations(), node)[0];
            Optional<Pods.Pod> pod = pods.stream().filter(p -> name.equals(p.node)).findFirst();
            if (shouldRun) {
                desired++;
                if (pod.isEmpty()) {
                    continue;
                }
                current++;
                if (pod.get().running) {
                    ready++;
                    if (pod.get().available(now, minReady)) {
                        available++;
                    }
                }
                if (pod.get().template.equals(template.hash())) {
                    updated++;
                }
            } else if (pod.isPresent()) {
                misscheduled++;
            }
        }
        return new DaemonSetStatusBuilder()
                .withObservedGeneration(daemonSet.getMetadata().getGeneration())
                .withDesiredNumberScheduled(desired)
                .withCurrentNumberScheduled(current)
                .withNumberMisscheduled(misscheduled)
                .withNumberReady(ready)
                .withNumberAvailable(available)
                .withNumberUnavailable(desired - available)
                .withUpdatedNumberScheduled(updated)
                .build();
    }

    /** Whether two statuses differ in anything but the times of their conditions. */
    static boolean differs(DeploymentStatus current, DeploymentStatus wanted) {
        if (current == null) {
            return true;
        }
        DeploymentStatus a = new DeploymentStatusBuilder(current).withConditions(untimed(current.getConditions()))
                .withCollisionCount(null).build();
        DeploymentStatus b = new DeploymentStatusBuilder(wanted).withConditions(untimed(wanted.getConditions()))
                .withCollisionCount(null).build();
        return !a.equals(b);
    }

    private static List<DeploymentCondition> untimed(List<DeploymentCondition> conditions) {
        List<DeploymentCondition> result = new ArrayList<>();
        for (DeploymentCondition c : Objects.requireNonNullElse(conditions, List.<DeploymentCondition>of())) {
            result.add(new DeploymentCondition(null, null, c.getMessage(), c.getReason(), c.getStatus(), c.getType()));
        }
        return result;
    }

    /** A condition, keeping its transition time while its status stays, and its update time while nothing changes. */
    private static DeploymentCondition condition(List<DeploymentCondition> previous, String type, String status,
                                                 String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        DeploymentCondition before = previous.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String transition = before != null && status.equals(before.getStatus()) ? before.getLastTransitionTime() : now;
        boolean same = before != null && status.equals(before.getStatus()) && reason.equals(before.getReason())
                && message.equals(before.getMessage());
        return new DeploymentCondition(transition, same ? before.getLastUpdateTime() : now, message, reason, status,
                type);
    }
}
