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
    void kubernetesGoesUpOneMinorAtATimeAndNeverDownWithTheImagesBuiltForIt() {
        String[] parts = current.kubernetesVersion().substring(1).split("\\.");
        int minor = Integer.parseInt(parts[1]);
        String next = "v1." + (minor + 1) + ".0";
        String oldImage = (String) current.controlPlane().machine().get("image");
        String newImage = "projects/team-a-clusters/global/images/cluster-api-ubuntu-2204-v1-" + (minor + 1) + "-0";
        Map<String, Object> image = Map.of("image", newImage);
        List<WorkerPoolInput> pools = current.workerPools().stream()
                .map(pool -> new WorkerPoolInput(pool.name(), pool.replicas(), image)).toList();

        var accepted = validator.validate(current, new ClusterChangeInput(next, new ControlPlaneInput(null, image),
                pools, null));
        assertThat(accepted.spec().controlPlane().machine()).as("the other fields of the machine stay")
                .containsEntry("image", newImage)
                .containsEntry("instanceType", current.controlPlane().machine().get("instanceType"));
        assertThat(accepted.changes()).startsWith("Kubernetes " + current.kubernetesVersion() + " → " + next,
                "control-plane machines: image " + oldImage + " → " + newImage);

        assertThat(refusal(new ClusterChangeInput(next, null, null, null)))
                .as("the images the cluster pins are built for the version it runs")
                .hasSize(1 + current.workerPools().size())
                .first().asString().startsWith("controlPlane.machine.image: '" + oldImage + "' is built for");
        assertThat(refusal(new ClusterChangeInput("v1." + (minor + 2) + ".0", new ControlPlaneInput(null, image),
                pools, null)))
                .singleElement().asString().startsWith("kubernetesVersion: can go up one minor version at a time");
        assertThat(refusal(new ClusterChangeInput("v1." + (minor - 1) + ".0", new ControlPlaneInput(null, image),
                pools, null)))
                .singleElement().asString().startsWith("kubernetesVersion: cannot go down");
    }

    @Test
    void aChangeIsValidatedAsARequestIsAndMachinesChangeByTheFieldsGiven() {
        assertThat(refusal(new ClusterChangeInput(null, new ControlPlaneInput(2, null), null, null)))
                .singleElement().asString().startsWith("controlPlane.replicas: must be odd");
        Object type = current.controlPlane().machine().get("instanceType");
        var bigger = validator.validate(current, new ClusterChangeInput(null, new ControlPlaneInput(null,
                Map.of("instanceType", "n2-standard-8")), null, null));
        assertThat(bigger.spec().controlPlane().machine()).containsEntry("instanceType", "n2-standard-8")
                .containsEntry("image", current.controlPlane().machine().get("image"));
        assertThat(bigger.changes()).containsExactly("control-plane machines: instanceType " + type
                + " → n2-standard-8");
        assertThat(refusal(new ClusterChangeInput(null, new ControlPlaneInput(null, Map.of("instanceType", "")),
                null, null))).singleElement().asString().startsWith("controlPlane.machine.instanceType");
        assertThat(refusal(new ClusterChangeInput(null, null, null, null)))
                .containsExactly(": changes nothing: the cluster already has this spec");
    }

    @Test
    void aVsphereClusterCannotBeUpgradedInPlaceSinceItsTemplateIsTheClusters() {
        ClusterSpec vsphere = Examples.spec("vsphere");
        try {
            validator.validate(vsphere, new ClusterChangeInput("v1.31.0", null, null, null));
            throw new AssertionError("accepted");
        } catch (InvalidClusterRequestException e) {
            assertThat(e.violations()).extracting(Violation::message)
                    .anySatisfy(message -> assertThat(message).contains("cloned from its template"));
        }
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
