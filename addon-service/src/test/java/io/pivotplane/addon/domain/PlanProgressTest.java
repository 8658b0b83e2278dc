package io.pivotplane.addon.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.pivotplane.addon.domain.PlanProgress.InstallState;
import io.pivotplane.addon.domain.PlanProgress.Item;
import io.pivotplane.events.model.Addon;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanProgressTest {

    @Test
    void cniThenCsiThenTheRestInProfileOrder() {
        List<InstallPlan.Step> plan = InstallPlan.of(List.of(
                new Addon("prometheus", null, null, null),
                new Addon("vsphere-csi", "csi", null, null),
                new Addon("calico", "cni", null, null),
                new Addon("ingress", "addon", null, null)));

        assertThat(plan).extracting(step -> step.addon().name())
                .containsExactly("calico", "vsphere-csi", "prometheus", "ingress");
    }

    @Test
    void waitsForTheProfileThePivotAndTheScaling() {
        List<Item> items = List.of(new Item(0, "calico", 0, InstallState.PENDING));
        assertThat(PlanProgress.next(true, true, false, items)).isInstanceOf(PlanProgress.Next.Wait.class);
        assertThat(PlanProgress.next(true, false, true, items)).isInstanceOf(PlanProgress.Next.Wait.class);
        assertThat(PlanProgress.next(false, true, true, items)).isInstanceOf(PlanProgress.Next.Wait.class);
    }

    @Test
    void sendsOneLayerAtATimeAndCompletesWhenAllAreInstalled() {
        List<Item> fresh = List.of(new Item(0, "calico", 0, InstallState.PENDING),
                new Item(1, "prometheus", 2, InstallState.PENDING), new Item(2, "ingress", 2, InstallState.PENDING));
        assertThat(PlanProgress.next(true, true, true, fresh)).isEqualTo(
                new PlanProgress.Next.Send(List.of(fresh.get(0))));

        List<Item> cniSent = List.of(new Item(0, "calico", 0, InstallState.SENT), fresh.get(1), fresh.get(2));
        assertThat(PlanProgress.next(true, true, true, cniSent)).isInstanceOf(PlanProgress.Next.AwaitResults.class);

        List<Item> cniDone = List.of(new Item(0, "calico", 0, InstallState.INSTALLED), fresh.get(1), fresh.get(2));
        assertThat(PlanProgress.next(true, true, true, cniDone)).isEqualTo(
                new PlanProgress.Next.Send(List.of(fresh.get(1), fresh.get(2))));

        List<Item> allDone = cniDone.stream().map(i -> new Item(i.position(), i.name(), i.layerRank(),
                InstallState.INSTALLED)).toList();
        assertThat(PlanProgress.next(true, true, true, allDone)).isInstanceOf(PlanProgress.Next.Complete.class);
        assertThat(PlanProgress.next(true, true, true, List.of())).isInstanceOf(PlanProgress.Next.Complete.class);
    }

    @Test
    void withinALayerLowerPrioritiesGoFirstAndAnAddonWaitsForItsDependencies() {
        Instant now = Instant.now();
        Item operator = new Item(0, "operator", 2, 0, List.of(), InstallState.PENDING, null, false);
        Item operand = new Item(1, "operand", 2, 0, List.of("operator"), InstallState.PENDING, null, false);
        Item later = new Item(2, "later", 2, 1, List.of(), InstallState.PENDING, null, false);

        assertThat(PlanProgress.next(true, true, true, List.of(operator, operand, later), now))
                .isEqualTo(new PlanProgress.Next.Send(List.of(operator)));

        Item operatorDone = new Item(0, "operator", 2, 0, List.of(), InstallState.INSTALLED, null, false);
        assertThat(PlanProgress.next(true, true, true, List.of(operatorDone, operand, later), now))
                .isEqualTo(new PlanProgress.Next.Send(List.of(operand)));
    }

    @Test
    void aRetryWaitsForItsTimeAndADependantOfAFailedAddonCanNeverGo() {
        Instant now = Instant.now();
        Item retrying = new Item(0, "csi", 1, 0, List.of(), InstallState.PENDING, now.plusSeconds(5), false);
        assertThat(PlanProgress.next(true, true, true, List.of(retrying), now))
                .isInstanceOf(PlanProgress.Next.AwaitResults.class);
        assertThat(PlanProgress.next(true, true, true, List.of(retrying), now.plusSeconds(5)))
                .isEqualTo(new PlanProgress.Next.Send(List.of(retrying)));

        Item degraded = new Item(0, "operator", 2, 0, List.of(), InstallState.DEGRADED, null, false);
        Item dependant = new Item(1, "operand", 2, 1, List.of("operator"), InstallState.PENDING, null, false);
        assertThat(PlanProgress.next(true, true, true, List.of(degraded, dependant), now))
                .isEqualTo(new PlanProgress.Next.DependencyFailed(dependant, "operator"));

        Item dependantDegraded = new Item(1, "operand", 2, 1, List.of("operator"), InstallState.DEGRADED, null, false);
        assertThat(PlanProgress.next(true, true, true, List.of(degraded, dependantDegraded), now))
                .isInstanceOf(PlanProgress.Next.Complete.class);
    }
}
