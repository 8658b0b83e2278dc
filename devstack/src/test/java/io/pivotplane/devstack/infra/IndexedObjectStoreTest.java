package io.pivotplane.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.CapiCrds;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The API server answers the same with its objects indexed: each kind of request the stack makes, over many objects. */
class IndexedObjectStoreTest {

    static KubernetesApiServer api;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        api = KubernetesApiServer.start(0);
        client = api.client();
        api.createCustomResourceDefinitions(CapiCrds.all().stream()
                .filter(crd -> crd.getMetadata().getName().equals("clusters.cluster.x-k8s.io")).toList());
        for (String namespace : List.of("team-a", "team-b")) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
            for (int i = 0; i < 20; i++) {
                String owner = "c" + (i % 4);
                client.configMaps().inNamespace(namespace).resource(configMap(namespace, "cm-" + i, owner)).create();
                // a Secret of the same name: another resource, never an answer about ConfigMaps
                client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata()
                        .withName("cm-" + i).withNamespace(namespace).endMetadata().build()).create();
            }
        }
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void findsAnObjectByNameInItsNamespaceAndResourceOnly() {
        ConfigMap found = client.configMaps().inNamespace("team-b").withName("cm-7").get();

        assertThat(found.getMetadata().getNamespace()).isEqualTo("team-b");
        assertThat(found.getData()).containsEntry("namespace", "team-b");
        assertThat(client.configMaps().inNamespace("team-b").withName("absent").get()).isNull();
    }

    @Test
    void listsByNamespaceAcrossNamespacesByLabelAndByFieldSelector() {
        assertThat(client.configMaps().inNamespace("team-a").list().getItems()).hasSize(20);
        assertThat(client.configMaps().inAnyNamespace().list().getItems()).hasSize(40);
        assertThat(client.configMaps().inNamespace("team-a").withLabel(Capi.CLUSTER_NAME_LABEL, "c1").list()
                .getItems()).extracting(this::name).containsExactlyInAnyOrder("cm-1", "cm-5", "cm-9", "cm-13", "cm-17");
        assertThat(client.configMaps().inAnyNamespace().withField("metadata.name", "cm-3").list().getItems())
                .extracting(object -> object.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("team-a", "team-b");
        assertThat(client.configMaps().inNamespace("team-a").withoutField("metadata.name", "cm-3").list()
                .getItems()).hasSize(19);
    }

    @Test
    void updatesPatchesAndDeletesTheObjectNamed() {
        var configMaps = client.configMaps().inNamespace("team-a");
        configMaps.resource(configMap("team-a", "changing", "c9")).create();

        configMaps.withName("changing").edit(object -> {
            object.getData().put("step", "edited");
            return object;
        });
        assertThat(configMaps.withName("changing").get().getData()).containsEntry("step", "edited");
        assertThat(client.configMaps().inNamespace("team-b").withName("changing").get()).isNull();

        configMaps.withName("changing").delete();
        await().atMost(Duration.ofSeconds(5)).until(() -> configMaps.withName("changing").get() == null);
        assertThat(configMaps.list().getItems()).hasSize(20);
    }

    @Test
    void keepsTheStatusSubresourceOfCustomResources() {
        var clusters = client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER).inNamespace("team-a");
        GenericKubernetesResource cluster = clusters.resource(new GenericKubernetesResourceBuilder()
                .withApiVersion(Capi.CORE_API_VERSION).withKind(Capi.CLUSTER)
                .withNewMetadata().withName("c").withNamespace("team-a").endMetadata()
                .addToAdditionalProperties("spec", Map.of("paused", false)).build()).create();

        cluster.setAdditionalProperties(Map.of("spec", Map.of(), "status", Map.of("phase", "Provisioned")));
        clusters.resource(cluster).updateStatus();
        clusters.withName("c").edit(object -> {
            object.setAdditionalProperties(Map.of("spec", Map.of("paused", true), "status", Map.of("phase", "lost")));
            return object;
        });

        GenericKubernetesResource stored = clusters.withName("c").get();
        assertThat(stored.getAdditionalProperties()).containsEntry("status", Map.of("phase", "Provisioned"))
                .containsEntry("spec", Map.of("paused", true));
    }

    @Test
    void watchesTheObjectNamed() {
        var configMaps = client.configMaps().inNamespace("team-b");
        configMaps.resource(configMap("team-b", "watched", "c1")).create();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (var watch = configMaps.withName("watched").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap object) {
                seen.add(action + " " + object.getData().get("step"));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            configMaps.withName("cm-0").edit(object -> {
                object.getData().put("step", "other");
                return object;
            });
            configMaps.withName("watched").edit(object -> {
                object.getData().put("step", "changed");
                return object;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("MODIFIED changed"));
        }
        assertThat(seen).doesNotContain("MODIFIED other");
    }

    private String name(HasMetadata object) {
        return object.getMetadata().getName();
    }

    private static ConfigMap configMap(String namespace, String name, String cluster) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(Capi.CLUSTER_NAME_LABEL, cluster).endMetadata()
                .withData(new java.util.HashMap<>(Map.of("namespace", namespace))).build();
    }
}
