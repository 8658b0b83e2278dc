package io.pivotplane.pivot.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The management cluster's kinds are read once for the moves of a while, and again after it. */
class ManagementKindsTest {

    KubernetesApiServer api;
    KubernetesClient client;

    @BeforeEach
    void start() {
        api = KubernetesApiServer.start(0);
        client = api.client();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aProviderInstalledInTheManagementClusterIsSeenOnceTheKindsReadBeforeAreOlderThanTheirMaxAge() {
        install(ProviderComponents.core());
        AtomicLong now = new AtomicLong();
        ManagementKinds kinds = new ManagementKinds(client, Duration.ofSeconds(30), now::get);

        ClusterKinds first = kinds.get();
        assertThat(first.serves("cluster.x-k8s.io/v1beta1", "Cluster")).isTrue();
        assertThat(first.serves("infrastructure.cluster.x-k8s.io/v1beta1", "VSphereCluster")).isFalse();

        install(ProviderComponents.infrastructure("vsphere"));
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(kinds.get()).isSameAs(first);

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(kinds.get().serves("infrastructure.cluster.x-k8s.io/v1beta1", "VSphereCluster")).isTrue();
    }

    private void install(ProviderComponents component) {
        component.render(Map.of(), Optional.empty(), false).stream()
                .filter(object -> "CustomResourceDefinition".equals(object.getKind()))
                .forEach(crd -> client.resource(crd).create());
    }
}
