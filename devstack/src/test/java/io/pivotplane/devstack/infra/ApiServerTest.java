package io.pivotplane.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.CapiCrds;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a workload cluster's (and the management cluster's) API server holds that fabric8's CRUD mock does not. */
class ApiServerTest {

    static final String CLUSTERS = "/apis/cluster.x-k8s.io/v1beta1/namespaces/default/clusters";

    final MultiClusterApiServer server = MultiClusterApiServer.start(0);
    final ClusterApi api = server.addCluster();
    final KubernetesClient client = api.client();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aNewClusterRefusesKindsItHasNoCrdForAndStoresNothingOfThem() throws Exception {
        String cluster = "{\"apiVersion\":\"cluster.x-k8s.io/v1beta1\",\"kind\":\"Cluster\","
                + "\"metadata\":{\"name\":\"c\",\"namespace\":\"default\"}}";

        HttpResponse<String> created = send("POST", CLUSTERS, cluster);
        assertThat(created.statusCode()).isEqualTo(404);
        assertThat(created.body()).contains("\"reason\":\"NotFound\"")
                .contains("the server could not find the requested resource");
        assertThat(send("GET", CLUSTERS, null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/apis/cluster.x-k8s.io/v1beta1", null).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/apis/made.up/v1/widgets", null).statusCode()).isEqualTo(404);

        client.apiextensions().v1().customResourceDefinitions().resource(crd("clusters.cluster.x-k8s.io")).create();
        assertThat(client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER).inAnyNamespace().list()
                .getItems()).as("what was refused was not stored").isEmpty();
    }

    @Test
    void aWorkloadHasGeneration1AndOneMoreForEachWriteThatChangesItsSpecButNotForStatusOrMetadata() {
        var deployments = client.apps().deployments().inNamespace("default");
        deployments.resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata()
                .withName("web").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("web")
                .withImage("web:1").endContainer().endSpec().endTemplate().endSpec().build()).create();
        assertThat(deployments.withName("web").get().getMetadata().getGeneration()).isEqualTo(1);

        deployments.withName("web").edit(d -> {
            d.getMetadata().getLabels().put("team", "a");
            return d;
        });
        deployments.withName("web").editStatus(d -> {
            d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(1)
                    .withObservedGeneration(1L).build());
            return d;
        });
        assertThat(deployments.withName("web").get().getMetadata().getGeneration()).as("labels and status").isEqualTo(1);

        deployments.withName("web").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("web:2");
            return d;
        });
        assertThat(deployments.withName("web").get().getMetadata().getGeneration()).isEqualTo(2);
    }

    @Test
    void discoveryListsTheBuiltInKindsAndThoseOfEstablishedCrds() throws Exception {
        assertThat(send("GET", "/api/v1", null).body()).contains("\"name\":\"configmaps\"")
                .contains("\"name\":\"nodes/status\"");
        assertThat(send("GET", "/apis/apps/v1", null).body()).contains("\"kind\":\"Deployment\"");
        assertThat(send("GET", "/apis", null).body()).contains("\"name\":\"apps\"").doesNotContain("cluster.x-k8s.io");
        assertThat(send("GET", "/version", null).body()).contains("\"gitVersion\":\"v1.31");

        client.apiextensions().v1().customResourceDefinitions().resource(crd("clusters.cluster.x-k8s.io")).create();

        assertThat(send("GET", "/apis", null).body()).contains("\"name\":\"cluster.x-k8s.io\"");
        assertThat(send("GET", "/apis/cluster.x-k8s.io/v1beta1", null).body()).contains("\"kind\":\"Cluster\"")
                .contains("\"name\":\"clusters/status\"");
    }

    @Test
    void aCreatedCrdIsEstablishedAndItsKindServedUntilTheCrdIsDeletedWithItsObjects() {
        var crds = client.apiextensions().v1().customResourceDefinitions();
        crds.resource(crd("clusters.cluster.x-k8s.io")).create();

        CustomResourceDefinition established = crds.withName("clusters.cluster.x-k8s.io").get();
        assertThat(established.getStatus().getConditions())
                .extracting(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason())
                .containsExactlyInAnyOrder("NamesAccepted=True NoConflicts", "Established=True InitialNamesAccepted");
        assertThat(established.getStatus().getAcceptedNames().getKind()).isEqualTo("Cluster");
        assertThat(established.getStatus().getAcceptedNames().getListKind()).isEqualTo("ClusterList");
        assertThat(established.getStatus().getStoredVersions()).containsExactly("v1beta1");

        var clusters = client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER).inNamespace("default");
        clusters.resource(cluster("c")).create();
        crds.withName("clusters.cluster.x-k8s.io").delete();

        assertThat(crds.withName("clusters.cluster.x-k8s.io").get()).isNull();
        assertThatThrownBy(() -> clusters.list()).isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(404));
        crds.resource(crd("clusters.cluster.x-k8s.io")).create();
        assertThat(clusters.list().getItems()).as("its objects went with it").isEmpty();
    }

    @Test
    void aCrdWithObjectsThatHaveFinalizersTerminatesUntilTheyAreGone() {
        var crds = client.apiextensions().v1().customResourceDefinitions();
        crds.resource(crd("clusters.cluster.x-k8s.io")).create();
        var clusters = client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER).inNamespace("default");
        GenericKubernetesResource kept = cluster("kept");
        kept.getMetadata().setFinalizers(List.of("cluster.cluster.x-k8s.io"));
        clusters.resource(kept).create();

        crds.withName("clusters.cluster.x-k8s.io").delete();

        CustomResourceDefinition terminating = crds.withName("clusters.cluster.x-k8s.io").get();
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus())
                .isEqualTo("Terminating=True"));
        assertThat(clusters.withName("kept").get().getMetadata().getDeletionTimestamp()).isNotNull();
        assertThatThrownBy(() -> clusters.resource(cluster("new")).create())
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(405));

        clusters.withName("kept").edit(cluster -> {
            cluster.getMetadata().setFinalizers(List.of());
            return cluster;
        });

        assertThat(clusters.withName("kept").get()).isNull();
        assertThat(crds.withName("clusters.cluster.x-k8s.io").get()).isNull();
    }

    @Test
    void aNamespacedObjectNeedsItsNamespaceWhichASystemNamespaceIsFromTheStart() {
        assertThat(client.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
                .containsExactlyInAnyOrder("default", "kube-system", "kube-public", "kube-node-lease");
        assertThat(client.namespaces().withName("kube-system").get().getStatus().getPhase()).isEqualTo("Active");
        var configMap = new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata().build();

        assertThatThrownBy(() -> client.configMaps().inNamespace("team-a").resource(configMap).create())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(404))
                .hasMessageContaining("namespaces \"team-a\" not found");

        client.namespaces().resource(namespace("team-a")).create();
        assertThat(client.configMaps().inNamespace("team-a").resource(configMap).create()).isNotNull();
        Namespace created = client.namespaces().withName("team-a").get();
        assertThat(created.getSpec().getFinalizers()).containsExactly("kubernetes");
        assertThat(created.getMetadata().getLabels()).containsEntry("kubernetes.io/metadata.name", "team-a");
        assertThat(created.getStatus().getPhase()).isEqualTo("Active");
    }

    @Test
    void aDeletedNamespaceTerminatesDeletingItsContentAndGoesWhenNothingIsLeft() {
        client.namespaces().resource(namespace("team-a")).create();
        var configMaps = client.configMaps().inNamespace("team-a");
        configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("plain").endMetadata().build()).create();
        configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("held")
                .withFinalizers("example.com/hold").endMetadata().build()).create();

        client.namespaces().withName("team-a").delete();

        assertThat(client.namespaces().withName("team-a").get().getStatus().getPhase()).isEqualTo("Terminating");
        assertThat(configMaps.withName("plain").get()).isNull();
        assertThat(configMaps.withName("held").get().getMetadata().getDeletionTimestamp()).isNotNull();
        assertThatThrownBy(() -> configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("late")
                .endMetadata().build()).create())
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));

        configMaps.withName("held").edit(held -> {
            held.getMetadata().setFinalizers(List.of());
            return held;
        });

        assertThat(client.namespaces().withName("team-a").get()).isNull();
    }

    @Test
    void aServiceAccountTokenSecretGetsItsTokenOrGoesWhenItsAccountDoesNotExist() {
        client.serviceAccounts().inNamespace("default").resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("agent").endMetadata().build()).create();
        String accountUid = client.serviceAccounts().inNamespace("default").withName("agent").get().getMetadata()
                .getUid();

        client.secrets().inNamespace("default").resource(tokenSecret("agent-token", "agent")).create();
        client.secrets().inNamespace("default").resource(tokenSecret("orphan-token", "nobody")).create();

        Secret token = client.secrets().inNamespace("default").withName("agent-token").get();
        assertThat(token.getData()).containsKeys("token", "ca.crt", "namespace");
        assertThat(decode(token.getData().get("namespace"))).isEqualTo("default");
        assertThat(decode(token.getData().get("ca.crt"))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(token.getMetadata().getAnnotations()).containsEntry("kubernetes.io/service-account.uid", accountUid);
        assertThat(client.secrets().inNamespace("default").withName("orphan-token").get()).isNull();

        assertThat(client.serviceAccounts().inNamespace("default").withName("agent").tokenRequest(
                new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withNewSpec()
                        .withExpirationSeconds(600L).endSpec().build()).getStatus().getToken())
                .as("a bound token, through the TokenRequest API").isNotBlank();

        client.serviceAccounts().inNamespace("default").withName("agent").delete();
        assertThat(client.secrets().inNamespace("default").withName("agent-token").get())
                .as("the account's tokens go with it").isNull();
    }

    @Test
    void secretsAreStoredAsTheServerStoresThem() {
        var secrets = client.secrets().inNamespace("default");
        secrets.resource(new SecretBuilder().withNewMetadata().withName("config").endMetadata()
                .withStringData(Map.of("url", "http://example")).build()).create();

        Secret stored = secrets.withName("config").get();
        assertThat(stored.getStringData()).as("write-only").isNullOrEmpty();
        assertThat(decode(stored.getData().get("url"))).isEqualTo("http://example");
        assertThat(stored.getType()).isEqualTo("Opaque");

        assertThatThrownBy(() -> secrets.resource(new SecretBuilder().withNewMetadata().withName("tls").endMetadata()
                .withType("kubernetes.io/tls").withStringData(Map.of("tls.crt", "x")).build()).create())
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining("data[tls.key]: Required value");
        assertThatThrownBy(() -> secrets.resource(new SecretBuilder().withNewMetadata().withName("unnamed-token")
                .endMetadata().withType("kubernetes.io/service-account-token").build()).create())
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422));
        assertThatThrownBy(() -> secrets.withName("config").edit(secret -> {
            secret.setType("kubernetes.io/basic-auth");
            return secret;
        })).satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining("field is immutable");
    }

    @Test
    void statusIsASubresourceOfTheBuiltInKindsThatHaveOne() {
        var deployments = client.apps().deployments().inNamespace("default");
        Deployment created = deployments.resource(new DeploymentBuilder().withNewMetadata().withName("web")
                .endMetadata().withNewSpec().withReplicas(1).endSpec()
                .withNewStatus().withReadyReplicas(1).endStatus().build()).create();
        assertThat(created.getStatus()).as("dropped on create").isNull();

        Deployment stale = deployments.withName("web").get();
        stale.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(1).build());
        deployments.resource(stale).updateStatus();
        stale.getStatus().setReplicas(2);
        assertThatThrownBy(() -> deployments.resource(stale).updateStatus()).as("stale resourceVersion")
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));

        deployments.withName("web").edit(deployment -> {
            deployment.getSpec().setReplicas(3);
            deployment.getStatus().setReplicas(7);
            return deployment;
        });
        assertThat(deployments.withName("web").get().getStatus().getReplicas()).as("ignored on update").isEqualTo(1);

        var node = client.nodes().resource(new NodeBuilder().withNewMetadata().withName("n").endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("False").endCondition().endStatus()
                .build()).create();
        assertThat(node.getStatus().getConditions()).as("a kubelet registers its node with status").hasSize(1);
    }

    @Test
    void aNodesProviderIdIsSetOnceAndNeverChanges() {
        var nodes = client.nodes();
        nodes.resource(new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec().endSpec().build())
                .create();
        nodes.withName("n").edit(node -> {
            node.getSpec().setProviderID("aws:///us-east-1a/i-1");
            return node;
        });

        assertThatThrownBy(() -> nodes.withName("n").edit(node -> {
            node.getSpec().setProviderID("aws:///us-east-1a/i-2");
            return node;
        })).satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining("spec.providerID: Forbidden");
        assertThat(nodes.withName("n").get().getSpec().getProviderID()).isEqualTo("aws:///us-east-1a/i-1");
    }

    @Test
    void aRequestAnAdmissionWebhookCannotBeReachedForFails() {
        // fabric8 retries a 500 for a minute, as it would against a real server: this test looks at the first answer
        KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(api.url()).withRequestRetryBackoffLimit(0).build()).build();
        client.apiextensions().v1().customResourceDefinitions().resource(crd("clusters.cluster.x-k8s.io")).create();
        var clusters = client.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER).inNamespace("default");
        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName("capi").endMetadata()
                        .addNewWebhook().withName("validation.cluster.cluster.x-k8s.io").withFailurePolicy("Fail")
                        .withSideEffects("None").withAdmissionReviewVersions("v1")
                        .withNewClientConfig().withNewService().withNamespace("capi-system")
                        .withName("capi-webhook-service").withPath("/validate-cluster").endService().endClientConfig()
                        .addNewRule().withApiGroups("cluster.x-k8s.io").withApiVersions("v1beta1")
                        .withOperations("CREATE", "UPDATE").withResources("clusters").endRule()
                        .endWebhook().build()).create();

        assertThatThrownBy(() -> clusters.resource(cluster("a")).create())
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(500))
                .hasMessageContaining("failed calling webhook \"validation.cluster.cluster.x-k8s.io\": failed to call "
                        + "webhook: Post \"https://capi-webhook-service.capi-system.svc:443/validate-cluster?timeout=10s\": "
                        + "service \"capi-webhook-service\" not found");

        client.namespaces().resource(namespace("capi-system")).create();
        client.services().inNamespace("capi-system").resource(new ServiceBuilder().withNewMetadata()
                .withName("capi-webhook-service").endMetadata().withNewSpec().addToSelector("app", "capi")
                .addNewPort().withPort(443).withTargetPort(new IntOrString("webhook-server")).endPort().endSpec()
                .build()).create();
        assertThatThrownBy(() -> clusters.resource(cluster("a")).create())
                .hasMessageContaining("no endpoints available for service \"capi-webhook-service\"");

        client.endpoints().inNamespace("capi-system").resource(new EndpointsBuilder().withNewMetadata()
                .withName("capi-webhook-service").endMetadata().addNewSubset().addNewAddress().withIp("10.244.0.5")
                .endAddress().addNewPort().withPort(9443).endPort().endSubset().build()).create();
        assertThatThrownBy(() -> clusters.resource(cluster("a")).create())
                .hasMessageContaining("x509: certificate signed by unknown authority");

        client.admissionRegistration().v1().validatingWebhookConfigurations().withName("capi").edit(webhooks -> {
            webhooks.getWebhooks().get(0).getClientConfig().setCaBundle("LS0tLS1CRUdJTi0tLS0t");
            return webhooks;
        });
        assertThat(clusters.resource(cluster("a")).create()).isNotNull();
        assertThat(clusters.withName("a").delete()).as("DELETE is not in its rules").isNotEmpty();
        client.close();
    }

    @Test
    void aServiceGetsItsClusterIpAndDefaultsAndKeepsTheIpWhenAnUpdateLeavesItOut() {
        var services = client.services().inNamespace("default");
        Service created = services.resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withPort(80).endPort().endSpec().build())
                .create();

        assertThat(created.getSpec().getClusterIP()).startsWith("10.96.").isNotEqualTo("10.96.0.1");
        assertThat(created.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(created.getSpec().getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(created.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(80);
        assertThat(services.withName("kubernetes").get().getSpec().getClusterIP()).isEqualTo("10.96.0.1");

        Service replacement = new ServiceBuilder().withNewMetadata().withName("web")
                .withResourceVersion(created.getMetadata().getResourceVersion()).endMetadata()
                .withNewSpec().addToSelector("app", "web2").addNewPort().withPort(80).endPort().endSpec().build();
        services.resource(replacement).update();
        assertThat(services.withName("web").get().getSpec().getClusterIP())
                .isEqualTo(created.getSpec().getClusterIP());
    }

    @Test
    void aDeploymentIsStoredWithTheDefaultsTheServerSets() {
        Deployment created = client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").endMetadata().withNewSpec().withNewTemplate().withNewSpec()
                .addNewContainer().withName("web").withImage("nginx:1.27").addNewPort().withContainerPort(80).endPort()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();

        assertThat(created.getSpec().getReplicas()).isEqualTo(1);
        assertThat(created.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(created.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getStrVal()).isEqualTo("25%");
        assertThat(created.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
        assertThat(created.getSpec().getProgressDeadlineSeconds()).isEqualTo(600);
        var pod = created.getSpec().getTemplate().getSpec();
        assertThat(pod.getRestartPolicy()).isEqualTo("Always");
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirst");
        assertThat(pod.getSchedulerName()).isEqualTo("default-scheduler");
        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30);
        assertThat(pod.getContainers().get(0).getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(pod.getContainers().get(0).getTerminationMessagePath()).isEqualTo("/dev/termination-log");
        assertThat(pod.getContainers().get(0).getPorts().get(0).getProtocol()).isEqualTo("TCP");
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1);
    }

    @Test
    void identicalCrdsOfManyClustersShareTheirMemory() {
        List<ClusterApi> clusters = List.of(api, server.addCluster(), server.addCluster());
        for (ClusterApi cluster : clusters) {
            CapiCrds.all().forEach(crd -> cluster.client().apiextensions().v1().customResourceDefinitions()
                    .resource(crd).create());
        }

        long[] first = server.customResourceDefinitionFootprint(clusters.get(0));
        long[] third = server.customResourceDefinitionFootprint(clusters.get(2));
        System.out.printf("CRDs of one cluster: %d characters of JSON, %d of them its own%n", third[0], third[1]);
        assertThat(third[0]).isEqualTo(first[0]).isGreaterThan(500_000);
        assertThat(third[1]).as("metadata and status only").isLessThan(third[0] / 10);
        assertThat(clusters.get(2).client().apiextensions().v1().customResourceDefinitions()
                .withName("clusters.cluster.x-k8s.io").get().getSpec().getVersions())
                .as("read back whole").isNotEmpty();

        // cert-manager's cainjector gives each cluster's conversion webhooks a CA of its own
        for (int i = 0; i < clusters.size(); i++) {
            String ca = "Q0Egb2YgY2x1c3Rlci" + i;
            clusters.get(i).client().apiextensions().v1().customResourceDefinitions()
                    .withName("machines.cluster.x-k8s.io").edit(crd -> {
                        crd.getSpec().setConversion(new io.fabric8.kubernetes.api.model.apiextensions.v1
                                .CustomResourceConversionBuilder().withStrategy("Webhook").withNewWebhook()
                                .withConversionReviewVersions("v1").withNewClientConfig().withCaBundle(ca)
                                .withNewService().withName("capi-webhook-service").withNamespace("capi-system")
                                .withPath("/convert").endService().endClientConfig().endWebhook().build());
                        return crd;
                    });
        }
        assertThat(server.customResourceDefinitionFootprint(clusters.get(2))[1]).as("the CA bundle only")
                .isLessThan(third[1] + 1_000);
        assertThat(clusters.get(1).client().apiextensions().v1().customResourceDefinitions()
                .withName("machines.cluster.x-k8s.io").get().getSpec().getConversion().getWebhook().getClientConfig()
                .getCaBundle()).isEqualTo("Q0Egb2YgY2x1c3Rlci1");
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url() + path.substring(1)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static CustomResourceDefinition crd(String name) {
        return CapiCrds.all().stream().filter(crd -> crd.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow();
    }

    private static GenericKubernetesResource cluster(String name) {
        return new GenericKubernetesResourceBuilder().withApiVersion(Capi.CORE_API_VERSION).withKind(Capi.CLUSTER)
                .withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .addToAdditionalProperties("spec", Map.of()).build();
    }

    private static Namespace namespace(String name) {
        return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
    }

    private static Secret tokenSecret(String name, String account) {
        return new SecretBuilder().withNewMetadata().withName(name)
                .addToAnnotations("kubernetes.io/service-account.name", account).endMetadata()
                .withType("kubernetes.io/service-account-token").build();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
