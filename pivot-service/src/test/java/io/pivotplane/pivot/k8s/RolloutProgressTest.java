package io.pivotplane.pivot.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.k8s.RolloutProgress;
import io.pivotplane.capi.k8s.Rollouts;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A wait that looks again and again asks only for what it has not yet found rolled out. */
class RolloutProgressTest {

    static KubernetesApiServer api;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        api = KubernetesApiServer.start(0);
        client = api.client();
        client.resource(new NamespaceBuilder().withNewMetadata().withName("capi-system").endMetadata().build())
                .create();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void anObjectFoundRolledOutIsNotAskedForAgainByTheSameWaitButIsByANewOne() {
        Deployment manager = client.resource(deployment("capi-controller-manager")).create();
        Deployment other = client.resource(deployment("capi-other-manager")).create();
        RolloutProgress progress = new RolloutProgress();

        assertThat(progress.pending(client, List.of(manager, other))).containsExactly(
                "Deployment capi-system/capi-controller-manager: 0 of 1 replicas available",
                "Deployment capi-system/capi-other-manager: 0 of 1 replicas available");

        available(manager, 1);
        assertThat(progress.pending(client, List.of(manager, other))).containsExactly(
                "Deployment capi-system/capi-other-manager: 0 of 1 replicas available");

        // found rolled out once, it is done for this wait, as Helm's --wait is with a ready resource
        available(manager, 0);
        assertThat(progress.pending(client, List.of(manager, other))).containsExactly(
                "Deployment capi-system/capi-other-manager: 0 of 1 replicas available");
        assertThat(Rollouts.pending(client, List.of(manager))).hasSize(1);
        assertThat(new RolloutProgress().pending(client, List.of(manager))).containsExactly(
                "Deployment capi-system/capi-controller-manager: 0 of 1 replicas available");

        available(other, 1);
        assertThat(progress.pending(client, List.of(manager, other))).isEmpty();
    }

    private static Deployment deployment(String name) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("capi-system").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addNewContainer().withName("manager").withImage("registry.k8s.io/cluster-api/" + name + ":v1.9.11")
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    private static void available(Deployment deployment, int replicas) {
        client.apps().deployments().inNamespace("capi-system").withName(deployment.getMetadata().getName())
                .editStatus(current -> new DeploymentBuilder(current).withNewStatus()
                        .withObservedGeneration(current.getMetadata().getGeneration())
                        .withReplicas(replicas).withUpdatedReplicas(replicas).withAvailableReplicas(replicas)
                        .endStatus().build());
    }
}
