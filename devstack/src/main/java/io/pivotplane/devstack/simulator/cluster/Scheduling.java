package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where a pod may run, as the scheduler's filters and the DaemonSet controller's predicates decide it: taints and
 * tolerations ({@code k8s.io/api/core/v1/toleration.go} {@code ToleratesTaint}), node selector and required node
 * affinity ({@code component-helpers/scheduling/corev1/nodeaffinity}), and a cordoned node.
 */
final class Scheduling {

    static final String NO_SCHEDULE = "NoSchedule";
    static final String NO_EXECUTE = "NoExecute";
    static final String UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";
    static final String NOT_READY_TAINT = "node.kubernetes.io/not-ready";
    static final String UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
    static final String UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";
    private static final Set<String> SCHEDULING_EFFECTS = Set.of(NO_SCHEDULE, NO_EXECUTE);

    private Scheduling() {
    }

    /** Whether the toleration tolerates the taint: same effect (or any), same key (or any with Exists), same value. */
    static boolean tolerates(Toleration toleration, Taint taint) {
        if (!isEmpty(toleration.getEffect()) && !toleration.getEffect().equals(taint.getEffect())) {
            return false;
        }
        if (!isEmpty(toleration.getKey()) && !toleration.getKey().equals(taint.getKey())) {
            return false;
        }
        String operator = toleration.getOperator();
        if (isEmpty(operator) || operator.equals("Equal")) {
            return Objects.equals(Objects.requireNonNullElse(toleration.getValue(), ""),
                    Objects.requireNonNullElse(taint.getValue(), ""));
        }
        return operator.equals("Exists");
    }

    /** The node's taints that keep a pod with these tolerations from being scheduled there (NoSchedule, NoExecute). */
    static List<Taint> untolerated(List<Taint> taints, List<Toleration> tolerations) {
        return untolerated(taints, tolerations, SCHEDULING_EFFECTS);
    }

    static List<Taint> untolerated(List<Taint> taints, List<Toleration> tolerations, Set<String> effects) {
        List<Taint> untolerated = new ArrayList<>();
        for (Taint taint : taints) {
            if (effects.contains(taint.getEffect())
                    && tolerations.stream().noneMatch(toleration -> tolerates(toleration, taint))) {
                untolerated.add(taint);
            }
        }
        return untolerated;
    }

    /**
     * The node's taints, with {@code node.kubernetes.io/unschedulable:NoSchedule} for a cordoned node, which the node
     * lifecycle controller adds and the scheduler's NodeUnschedulable filter checks for.
     */
    static List<Taint> taints(Node node) {
        List<Taint> taints = new ArrayList<>(Objects.requireNonNullElse(node.getSpec().getTaints(), List.of()));
        if (Boolean.TRUE.equals(node.getSpec().getUnschedulable())
                && taints.stream().noneMatch(t -> UNSCHEDULABLE_TAINT.equals(t.getKey()))) {
            taints.add(new Taint(NO_SCHEDULE, UNSCHEDULABLE_TAINT, null, null));
        }
        return taints;
    }

    /** The node selector and the required node affinity both match the node's labels. */
    static boolean matchesNode(Map<String, String> nodeSelector, List<NodeSelectorTerm> requiredTerms, Node node) {
        Map<String, String> labels = Objects.requireNonNullElse(node.getMetadata().getLabels(), Map.of());
        for (Map.Entry<String, String> required : nodeSelector.entrySet()) {
            if (!required.getValue().equals(labels.get(required.getKey()))) {
                return false;
            }
        }
        // terms are ORed; a term's requirements ANDed; a term without requirements selects nothing
        return requiredTerms == null || requiredTerms.stream().anyMatch(term -> matchesTerm(term, node, labels));
    }

    private static boolean matchesTerm(NodeSelectorTerm term, Node node, Map<String, String> labels) {
        List<NodeSelectorRequirement> expressions = Objects.requireNonNullElse(term.getMatchExpressions(), List.of());
        List<NodeSelectorRequirement> fields = Objects.requireNonNullElse(term.getMatchFields(), List.of());
        if (expressions.isEmpty() && fields.isEmpty()) {
            return false;
        }
        for (NodeSelectorRequirement requirement : expressions) {
            if (!matches(requirement, labels)) {
                return false;
            }
        }
        for (NodeSelectorRequirement requirement : fields) {
            // the only field a node selector may name
            if (!matches(requirement, Map.of("metadata.name", node.getMetadata().getName()))) {
                return false;
            }
        }
        return true;
    }

    static boolean matches(NodeSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = Objects.requireNonNullElse(requirement.getValues(), List.of());
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            case "Gt" -> value != null && values.size() == 1 && compare(value, values.get(0)) > 0;
            case "Lt" -> value != null && values.size() == 1 && compare(value, values.get(0)) < 0;
            default -> false;
        };
    }

    private static int compare(String value, String bound) {
        try {
            return Long.compare(Long.parseLong(value), Long.parseLong(bound));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isEmpty(String text) {
        return text == null || text.isEmpty();
    }
}
