package io.pivotplane.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MultiClusterApiServerTest {

    final MultiClusterApiServer server = MultiClusterApiServer.start(0);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void eachClusterHasItsOwnObjectsUnderItsOwnPath() {
        ClusterApi first = server.addCluster();
        ClusterApi second = server.addCluster();

        first.client().configMaps().inNamespace("default").resource(configMap("settings", "first")).create();
        second.client().configMaps().inNamespace("default").resource(configMap("settings", "second")).create();
        second.client().configMaps().inNamespace("default").resource(configMap("only-here", "second")).create();

        URI firstUrl = URI.create(first.url());
        URI secondUrl = URI.create(second.url());
        assertThat(firstUrl.getAuthority()).as("one server").isEqualTo(secondUrl.getAuthority());
        assertThat(firstUrl.getPath()).as("a path each").isNotEqualTo(secondUrl.getPath()).startsWith("/clusters/");
        assertThat(first.client().configMaps().inNamespace("default").withName("settings").get().getData())
                .containsEntry("owner", "first");
        assertThat(second.client().configMaps().inNamespace("default").withName("settings").get().getData())
                .containsEntry("owner", "second");
        assertThat(first.client().configMaps().inNamespace("default").list().getItems()).hasSize(1);
        assertThat(second.client().configMaps().inNamespace("default").list().getItems()).hasSize(2);
    }

    @Test
    void aClientBuiltFromTheUrlAloneReachesItsClusterAndWatchesOnlyIt() {
        ClusterApi watched = server.addCluster();
        ClusterApi other = server.addCluster();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (KubernetesClient fromKubeconfig = clientOf(watched.url());
             var watch = fromKubeconfig.configMaps().inNamespace("default").watch(new Watcher<>() {
                 @Override
                 public void eventReceived(Action action, ConfigMap object) {
                     seen.add(action + " " + object.getData().get("owner"));
                 }

                 @Override
                 public void onClose(WatcherException cause) {
                 }
             })) {
            other.client().configMaps().inNamespace("default").resource(configMap("a", "other")).create();
            watched.client().configMaps().inNamespace("default").resource(configMap("a", "watched")).create();

            await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
            assertThat(seen).containsExactly("ADDED watched");
        }
    }

    @Test
    void servesTheClusterApiKindsOnceTheirCrdsAreCreatedWithTheirStatusSubresource() {
        KubernetesClient client = server.addCluster().client();
        assertThatThrownBy(() -> client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER))
                .as("a new cluster knows only Kubernetes' own kinds").isInstanceOf(KubernetesClientException.class);

        client.apiextensions().v1().customResourceDefinitions().resource(CapiCrds.all().stream()
                .filter(crd -> crd.getMetadata().getName().equals("clusters.cluster.x-k8s.io")).findFirst()
                .orElseThrow()).create();
        var clusters = client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER).inNamespace("default");
        GenericKubernetesResource cluster = clusters.resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(Capi.CORE_API_VERSION).withKind(Capi.CLUSTER)
                .withNewMetadata().withName("c").withNamespace("default").endMetadata()
                .addToAdditionalProperties("spec", Map.of("paused", false))
                .addToAdditionalProperties("status", Map.of("phase", "Provisioned")).build()).create();

        assertThat(cluster.getAdditionalProperties()).doesNotContainKey("status");
        cluster.setAdditionalProperties(Map.of("spec", Map.of(), "status", Map.of("phase", "Provisioned")));
        clusters.resource(cluster).updateStatus();
        assertThat(clusters.withName("c").get().getAdditionalProperties())
                .containsEntry("status", Map.of("phase", "Provisioned"));
    }

    @Test
    void tellsItsListenersOfEachChangeToItsOwnObjectsInOrder() {
        ClusterApi observed = server.addCluster();
        ClusterApi other = server.addCluster();
        List<String> changes = new CopyOnWriteArrayList<>();
        observed.addChangeListener((before, after) -> changes.add(describe(before) + " -> " + describe(after)));
        // a listener may call the API: it hears of a change after the store has made it
        observed.addChangeListener((before, after) -> {
            if (after != null) {
                observed.client().configMaps().inNamespace("default").withName(after.getMetadata().getName()).get();
            }
        });
        var configMaps = observed.client().configMaps().inNamespace("default");

        other.client().configMaps().inNamespace("default").resource(configMap("a", "other")).create();
        configMaps.resource(configMap("a", "first")).create();
        configMaps.withName("a").edit(configMap -> {
            configMap.getData().put("owner", "second");
            return configMap;
        });
        configMaps.withName("a").delete();

        await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() >= 3);
        assertThat(changes).containsExactly("none -> a=first", "a=first -> a=second", "a=second -> none");
    }

    @Test
    void aRemovedOrUnknownClusterAnswersNotFound() {
        ClusterApi gone = server.addCluster();
        gone.client().configMaps().inNamespace("default").resource(configMap("a", "gone")).create();
        server.removeCluster(gone);

        assertThat(server.cluster(gone.url())).isEmpty();
        try (KubernetesClient client = clientOf(gone.url())) {
            assertThatThrownBy(() -> client.configMaps().inNamespace("default").list())
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(404));
        }
    }

    private static String describe(GenericKubernetesResource object) {
        if (object == null) {
            return "none";
        }
        @SuppressWarnings("unchecked")
        Map<String, String> data = (Map<String, String>) object.getAdditionalProperties().get("data");
        return object.getMetadata().getName() + "=" + data.get("owner");
    }

    private static KubernetesClient clientOf(String url) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withOauthToken("simulated").build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static ConfigMap configMap(String name, String owner) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withData(Map.of("owner", owner)).build();
    }
}
