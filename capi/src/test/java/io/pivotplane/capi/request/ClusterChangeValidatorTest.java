package io.pivotplane.capi.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.pivotplane.capi.Examples;
import io.pivotplane.capi.request.ClusterRequestInput.ControlPlaneInput;
import io.pivotplane.capi.request.ClusterRequestInput.WorkerPoolInput;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.WorkerPool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterChangeValidatorTest {

    private final ClusterChangeValidator validator = new ClusterChangeValidator(new ClusterRequestValidator());
    private final ClusterSpec current = Examples.spec("gcp");

    @Test
    void aPoolScaledAddedAndRemovedIsTheWholeNewListOfPoolsWithTheirMachinesKept() {
        WorkerPool first = current.workerPools().get(0);
        var accepted = validator.validate(current, new ClusterChangeInput(null, null, List.of(
                new WorkerPoolInput(first.name(), first.replicas() + 2, null),
                new WorkerPoolInput("batch", 1, first.machine())), null));

        assertThat(accepted.spec().workerPools()).extracting(WorkerPool::name, WorkerPool::replicas)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(first.name(), first.replicas() + 2),
                        org.assertj.core.groups.Tuple.tuple("batch", 1));
        assertThat(accepted.spec().workerPools().get(0).machine()).isEqualTo(first.machine());
        assertThat(accepted.spec().profile()).isEqualTo(current.profile());
        assertThat(accepted.changes()).contains("pool " + first.name() + ": " + first.replicas() + " → "
                + (first.replicas() + 2) + " machines", "pool batch added with 1 machines");
        current.workerPools().stream().skip(1).forEach(removed ->
                assertThat(accepted.changes()).contains("pool " + removed.name() + " removed"));
    }

    @Test
    void kubernetesGoesUpOneMinorAtATimeAndNeverDown() {
        String[] parts = current.kubernetesVersion().substring(1).split("\\.");
        int minor = Integer.parseInt(parts[1]);
        String next = "v1." + (minor + 1) + ".0";
        assertThat(validator.validate(current, new ClusterChangeInput(next, null, null, null)).summary())
                .isEqualTo("Kubernetes " + current.kubernetesVersion() + " → " + next);
        assertThat(refusal(new ClusterChangeInput("v1." + (minor + 2) + ".0", null, null, null)))
                .singleElement().asString().startsWith("kubernetesVersion: can go up one minor version at a time");
        assertThat(refusal(new ClusterChangeInput("v1." + (minor - 1) + ".0", null, null, null)))
                .singleElement().asString().startsWith("kubernetesVersion: cannot go down");
    }

    @Test
    void aChangeIsValidatedAsARequestIsAndMachinesOfWhatExistsStayAsTheyAre() {
        assertThat(refusal(new ClusterChangeInput(null, new ControlPlaneInput(2, null), null, null)))
                .singleElement().asString().startsWith("controlPlane.replicas: must be odd");
        Map<String, Object> otherMachine = new java.util.HashMap<>(current.controlPlane().machine());
        otherMachine.replaceAll((field, value) -> value instanceof String text ? text + "-other" : value);
        assertThat(refusal(new ClusterChangeInput(null, new ControlPlaneInput(null, otherMachine), null, null)))
                .contains("controlPlane.machine: cannot change in a running cluster");
        assertThat(refusal(new ClusterChangeInput(null, null, null, null)))
                .containsExactly(": changes nothing: the cluster already has this spec");
    }

    private List<String> refusal(ClusterChangeInput change) {
        try {
            validator.validate(current, change);
        } catch (InvalidClusterRequestException e) {
            return e.violations().stream().map(v -> v.field() + ": " + v.message()).toList();
        }
        throw new AssertionError("the change was accepted: " + change);
    }
}
