package io.pivotplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.k8s.ConfigMapReportStore;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.GcpRenderer;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.bootstrap.CloudControllerManagers;
import io.pivotplane.capi.k8s.Rollouts;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.ClusterRequestValidator;
import io.pivotplane.deploy.Kustomize;
import io.pivotplane.deploy.Overlay;
import io.pivotplane.devstack.LocalStack;
import io.pivotplane.devstack.Service;
import io.pivotplane.devstack.infra.ApiRequest;
import io.pivotplane.devstack.infra.EmbeddedPostgresServer;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.AgentReport;
import io.pivotplane.events.Topics;
import io.pivotplane.events.kafka.AgentMacs;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The order of operations end to end, on the local stack: Kafka, PostgreSQL and the simulated Cluster API in
 * this JVM, the five services as separate processes from their packaged builds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineTest {

    static final Path PROJECT = Path.of(System.getProperty("pivotplane.project-dir", "..")).toAbsolutePath();
    static final List<String> STAGES_IN_ORDER = List.of("Requested", "SpecsCreated", "ControlPlaneReady", "Pivoted",
            "AddonsInstalled");
    static final Map<String, String> FAST_AGENTS = Map.of("PIVOTPLANE_PIVOT_AGENT_HEARTBEAT", "PT1S",
            "PIVOTPLANE_PIVOT_AGENT_ADDON_REPAIR_INTERVAL", "PT2S");
    /** The clusters of the examples, by infrastructure, once they are installed. */
    static final Map<String, String> EXAMPLE_CLUSTERS = new java.util.concurrent.ConcurrentHashMap<>();

    static StackOutput output;
    static LocalStack stack;
    static String token;
    static PivotplaneApi api;

    @BeforeAll
    static void startStack() throws Exception {
        output = new StackOutput(PROJECT.resolve("e2e/target/e2e-logs/pipeline-stack.log"));
        stack = startStack(output);
        token = stack.token();
        api = new PivotplaneApi(stack.apiUrl(), token);
    }

    @AfterAll
    static void stopStack() throws IOException {
        stopStack(stack, output);
    }

    /** The local stack of the end-to-end tests, its agents reporting every second. */
    static LocalStack startStack(StackOutput output) throws Exception {
        return LocalStack.start(LocalStack.Settings.forTests(PROJECT, output.printStream())
                .withServiceEnvironment(Service.PIVOT, FAST_AGENTS));
    }

    static void stopStack(LocalStack stack, StackOutput output) throws IOException {
        if (stack != null) {
            stack.close();
        }
        output.close();
    }

    @Test
    @Order(1)
    void aVsphereClusterGoesThroughEveryStageInOrderAndEndsSelfManagedAtItsFullSize() throws Exception {
        String id = create(vsphereRequest("edge-" + suffix(), "team-e2e"));

        awaitStage(id, "AddonsInstalled", Duration.ofMinutes(4));

        JsonNode cluster = api.get(id);
        assertThat(api.timeline(id)).containsExactlyElementsOf(STAGES_IN_ORDER);
        List<Instant> reachedAt = new ArrayList<>();
        cluster.path("timeline").forEach(entry -> reachedAt.add(Instant.parse(entry.path("reachedAt").asText())));
        assertThat(reachedAt).isSorted();

        String name = cluster.path("name").asText();
        KubernetesClient workload = stack.workloadClient(controlPlaneReady(id).apiEndpoint());
        assertThat(clusterObjects(stack.management().client(), "team-e2e", name)).isEmpty();
        assertThat(clusterObjects(workload, "team-e2e", name)).containsAll(movedAndKept(id, name));
        assertOwnerReferencesResolve(workload, "team-e2e");
        assertThat(ObjectMaps.integer(workload.genericKubernetesResources(Capi.CONTROL_PLANE_API_VERSION,
                Capi.KUBEADM_CONTROL_PLANE).inNamespace("team-e2e").withName(name).get(), 0, "status",
                "readyReplicas")).isEqualTo(3);
        assertThat(ObjectMaps.integer(workload.genericKubernetesResources(Capi.CORE_API_VERSION,
                Capi.MACHINE_DEPLOYMENT).inNamespace("team-e2e").withName(name + "-default").get(), 0, "status",
                "readyReplicas")).isEqualTo(3);
        assertRunsItself(workload, io.pivotplane.events.EventJson.read(cluster.path("spec").toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), ClusterSpec.class), 6);
        assertThat(workload.serviceAccounts().inNamespace("kube-system").withName("metrics-server").get()).isNotNull();
    }

    @Test
    @Order(2)
    void pivotServiceKilledInTheMiddleOfAMoveFinishesItAfterARestartWithNoObjectMissingOrDuplicated()
            throws Exception {
        stack.restart(Service.PIVOT, Map.of("PIVOTPLANE_PIVOT_OBJECT_DELAY", "400ms"));
        String name = "crash-" + suffix();
        String id = create(vsphereRequest(name, "team-crash"));
        await().atMost(Duration.ofMinutes(2)).until(() -> output.anyLineContains("Moved object 3 of", name));

        stack.kill(Service.PIVOT);
        assertThat(api.stage(id)).isEqualTo("ControlPlaneReady");
        stack.restart(Service.PIVOT, Map.of());

        awaitStage(id, "AddonsInstalled", Duration.ofMinutes(4));
        assertThat(output.anyLineContains("Resuming the move of team-crash/" + name)).isTrue();
        KubernetesClient workload = stack.workloadClient(controlPlaneReady(id).apiEndpoint());
        List<HasMetadata> inWorkload = objects(workload, "team-crash").stream()
                .filter(o -> o.getMetadata().getAnnotations() != null
                        && o.getMetadata().getAnnotations().containsKey(Capi.MOVED_FROM_UID_ANNOTATION))
                .toList();
        List<String> sourceUids = inWorkload.stream()
                .map(o -> o.getMetadata().getAnnotations().get(Capi.MOVED_FROM_UID_ANNOTATION)).toList();
        assertThat(sourceUids).doesNotHaveDuplicates();
        assertThat(inWorkload.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()))
                .containsExactlyInAnyOrderElementsOf(movedAndKept(id, name));
        assertThat(clusterObjects(stack.management().client(), "team-crash", name)).isEmpty();
        assertOwnerReferencesResolve(workload, "team-crash");
        assertThat(TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.CLUSTER_PIVOTED).stream()
                .filter(record -> id.equals(record.key()))).hasSize(1);
    }

    @Test
    @Order(3)
    void theExampleOfEveryInfrastructureReachesAddonsInstalledAndEndsRunningItself() throws Exception {
        Map<String, String> ids = new java.util.LinkedHashMap<>();
        Map<String, Map<String, Object>> bodies = new java.util.LinkedHashMap<>();
        for (String provider : TestClusters.PROVIDERS) {
            Map<String, Object> body = ClusterRequestDocument.body(
                    java.nio.file.Files.readString(PROJECT.resolve("examples/" + provider + ".yaml")));
            body.put("name", body.get("name") + "-" + suffix());
            body.put("project", "team-infra");
            if (body.get("healthCheck") instanceof Map<?, ?> healthCheck) {
                // a node down for seconds, not minutes, is replaced: the test after this one fails one
                @SuppressWarnings("unchecked")
                Map<String, Object> atTestPace = (Map<String, Object>) healthCheck;
                atTestPace.put("unhealthyAfter", "20s");
            }
            bodies.put(provider, TestCredentials.prepare(stack.management().client(), body));
            ids.put(provider, api.create(body));
        }
        EXAMPLE_CLUSTERS.putAll(ids);

        for (Map.Entry<String, String> entry : ids.entrySet()) {
            String provider = entry.getKey();
            String id = entry.getValue();
            awaitStage(id, "AddonsInstalled", Duration.ofMinutes(4));
            assertThat(api.timeline(id)).as(provider).containsExactlyElementsOf(STAGES_IN_ORDER);
            ClusterSpec spec = new ClusterRequestValidator().validateAllButStoredProfile(
                    ClusterRequestDocument.input(bodies.get(provider)));
            KubernetesClient workload = stack.workloadClient(controlPlaneReady(id).apiEndpoint());
            assertThat(clusterObjects(stack.management().client(), "team-infra", spec.name())).as(provider).isEmpty();
            List<String> rendered = Renderers.forProvider(provider).render(id, spec, RenderPhase.FULL).stream()
                    .map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
            assertThat(clusterObjects(workload, "team-infra", spec.name())).as(provider).containsAll(rendered);
            GenericKubernetesResource cluster = workload.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.CLUSTER)
                    .inNamespace("team-infra").withName(spec.name()).get();
            String controlPlane = ObjectMaps.string(cluster, "spec", "controlPlaneRef", "name").orElseThrow();
            assertThat(ObjectMaps.integer(workload.genericKubernetesResources(Capi.CONTROL_PLANE_API_VERSION,
                    Capi.KUBEADM_CONTROL_PLANE).inNamespace("team-infra").withName(controlPlane).get(), 0, "status",
                    "readyReplicas")).as(provider).isEqualTo(spec.controlPlane().replicas());
            int workers = spec.workerPools().stream().mapToInt(WorkerPool::replicas).sum();
            assertRunsItself(workload, spec, spec.controlPlane().replicas() + workers);
            assertThat(workload.namespaces().withName("team-a-apps").get()).as(provider).isNotNull();
            // the profile's chart from the stack's chart repository, rolled out, and the Widget that needs its CRD
            assertThat(workload.apps().deployments().inNamespace("widgets").withName("widgets-controller").get()
                    .getStatus().getAvailableReplicas()).as(provider).isEqualTo(provider.equals("aws") ? 2 : 1);
            GenericKubernetesResource widget = workload.genericKubernetesResources("demo.pivotplane.io/v1", "Widget")
                    .inNamespace("widgets").withName("first").get();
            assertThat(widget).as(provider).isNotNull();
            // first-widget depends on widgets: it went on only once the chart's controller was rolled out
            String available = workload.apps().deployments().inNamespace("widgets").withName("widgets-controller")
                    .get().getStatus().getConditions().stream().filter(c -> c.getType().equals("Available"))
                    .findFirst().orElseThrow().getLastTransitionTime();
            assertThat(Instant.parse(widget.getMetadata().getCreationTimestamp())).as(provider)
                    .isAfterOrEqualTo(Instant.parse(available));
            assertOwnerReferencesResolve(workload, "team-infra");
            assertCredentialsMoved(workload, spec);
        }
    }

    /**
     * What a cluster needs to run itself, in its own API: Cluster API's providers as clusterctl init installs them,
     * a network plugin and (with cloud-provider: external) its cloud-controller-manager rolled out, every node Ready
     * with the provider id CAPI matched its Machine by.
     */
    private static void assertRunsItself(KubernetesClient workload, ClusterSpec spec, int nodes) {
        String provider = spec.infrastructure().provider();
        Map<String, String> providerNames = Map.of("aws", "aws", "gcp", "gcp", "azure", "azure", "vsphere", "vsphere",
                "maas", "maas");
        assertThat(workload.genericKubernetesResources(new io.fabric8.kubernetes.client.dsl.base
                        .ResourceDefinitionContext.Builder().withGroup("clusterctl.cluster.x-k8s.io").withVersion("v1alpha3")
                        .withKind("Provider").withPlural("providers").withNamespaced(true).build())
                .inAnyNamespace().list().getItems()).as(provider)
                .extracting(p -> p.getAdditionalProperties().get("type") + " " + p.getAdditionalProperties().get("providerName"))
                .containsExactlyInAnyOrder("CoreProvider cluster-api", "BootstrapProvider kubeadm",
                        "ControlPlaneProvider kubeadm", "InfrastructureProvider " + providerNames.get(provider));
        assertThat(workload.apps().deployments().inAnyNamespace().withLabel("cluster.x-k8s.io/provider").list()
                .getItems()).as(provider).isNotEmpty().allSatisfy(deployment -> assertThat(
                deployment.getStatus().getAvailableReplicas()).as(deployment.getMetadata().getName()).isPositive());
        assertThat(workload.apps().daemonSets().inNamespace("kube-flannel").withName("kube-flannel-ds").get()
                .getStatus().getNumberAvailable()).as(provider).isEqualTo(nodes);
        CloudControllerManagers.forCluster(spec).ifPresent(ccm -> assertThat(ccm.workloads())
                .allSatisfy(ccmWorkload -> assertThat(Rollouts.pending(workload, List.of(new GenericKubernetesResourceBuilder()
                        .withApiVersion("apps/v1").withKind(ccmWorkload.kind()).withNewMetadata()
                        .withNamespace(ccmWorkload.name().namespace()).withName(ccmWorkload.name().name()).endMetadata()
                        .build()))).as(provider + " cloud-controller-manager").isEmpty()));
        assertThat(CloudControllerManagers.forCluster(spec).isPresent()).as(provider + " cloud-controller-manager")
                .isEqualTo(!List.of("gcp", "maas").contains(provider));
        assertThat(workload.nodes().list().getItems()).as(provider).hasSize(nodes).allSatisfy(node -> {
            assertThat(node.getSpec().getProviderID()).as(node.getMetadata().getName()).isNotBlank();
            assertThat(node.getStatus().getConditions()).anySatisfy(condition -> {
                assertThat(condition.getType()).isEqualTo("Ready");
                assertThat(condition.getStatus()).isEqualTo("True");
            });
        });
    }

    /** The credentials the cluster's provider reads, where it runs now: in the workload cluster. */
    private static void assertCredentialsMoved(KubernetesClient workload, ClusterSpec spec) {
        String credentials = spec.infrastructure().credentialsRef();
        switch (spec.infrastructure().provider()) {
            case "vsphere", "gcp", "azure" -> assertThat(workload.secrets().inNamespace(spec.project())
                    .withName(credentials).get()).as(spec.infrastructure().provider()).isNotNull();
            case "aws" -> assertThat(workload.secrets().inNamespace("capa-system").withName(credentials).get())
                    .as("aws").isNotNull();
            default -> assertThat(workload.secrets().inNamespace("capmaas-system")
                    .withLabel("cluster.x-k8s.io/provider", "infrastructure-maas").list().getItems())
                    .as("maas").isNotEmpty();
        }
    }

    @Test
    @Order(4)
    void aClusterMovedToTheNextProfileVersionEndsWithItsAddonsExactlyAndRepairsThemAndAFailedNodeWhileThePlaneIsStopped()
            throws Exception {
        String id = EXAMPLE_CLUSTERS.get("gcp");
        assertThat(id).as("the gcp example of the test before").isNotNull();
        // read while Kafka runs: the endpoint comes from the cluster's ControlPlaneReady event
        String endpoint = controlPlaneReady(id).apiEndpoint();
        KubernetesClient workload = stack.workloadClient(endpoint);
        Path config = Files.createTempDirectory("pivotctl-config").resolve("config.yaml");
        Map<String, String> env = Map.of("PIVOTPLANE_CONFIG", config.toString());
        assertThat(PivotctlProcess.run(env, "login", "--context", "infra", "--api-url", stack.apiUrl(), "-p",
                "team-infra", "--token", stack.token("team-infra", "editor")).exitCode()).isZero();
        PivotctlProcess.Result listed = PivotctlProcess.run(env, "profile", "list", "baseline");
        assertThat(listed.out()).contains("1.0.0", "1.1.0");

        PivotctlProcess.Result moved = PivotctlProcess.run(env, "profile", "use", id, "1.1.0", "--wait");

        assertThat(moved.exitCode()).as(moved.out() + moved.err()).isZero();
        assertThat(api.get(id).path("spec").path("profile").path("version").asText()).isEqualTo("1.1.0");
        assertThat(api.get(id).path("addons")).extracting(a -> a.path("name").asText() + "=" + a.path("state").asText())
                .containsExactly("flannel=Installed", "widgets=Installed", "widget-dashboard=Installed",
                        "team-namespace=Installed");
        assertThat(workload.secrets().inNamespace("pivotplane-system").withLabel("pivotplane.io/record", "addon")
                .list().getItems()).extracting(s -> s.getMetadata().getLabels().get("pivotplane.io/addon"))
                .as("what the agent has installed: 1.1.0's add-ons, first-widget uninstalled")
                .containsExactlyInAnyOrder("widgets", "widget-dashboard", "team-namespace");
        var widgets = workload.genericKubernetesResources("demo.pivotplane.io/v1", "Widget").inNamespace("widgets");
        assertThat(widgets.withName("first").get()).isNull();
        assertThat(widgets.withName("dashboard").get()).isNotNull();
        assertThat(workload.configMaps().inNamespace("widgets").withName("widgets-settings").get())
                .as("new in chart 1.1.0").isNotNull();
        assertThat(workload.apps().deployments().inNamespace("widgets").withName("widgets-controller").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).endsWith(":1.1.0");

        // a pool scaled: the agent takes the new spec into its own cluster, and then the plane goes away
        String name = api.get(id).path("name").asText();
        String namespace = "team-infra";
        var pool = workload.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.MACHINE_DEPLOYMENT)
                .inNamespace(namespace).withName(name + "-md-0");
        int poolSize = ObjectMaps.integer(pool.get(), 0, "spec", "replicas");
        PivotctlProcess.Result scaled = PivotctlProcess.run(env, "scale", id, "--pool", "md-0", "--replicas",
                String.valueOf(poolSize + 1));
        assertThat(scaled.exitCode()).as(scaled.out() + scaled.err()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> "1".equals(workload.configMaps().inNamespace(namespace)
                .withName(DesiredSpecConfigMap.name(name)).get().getData().get(DesiredSpecConfigMap.GENERATION_KEY)));

        // the management plane goes away: its five services and its broker
        for (Service service : Service.all()) {
            stack.kill(service);
        }
        stack.kafka().stop();
        Instant outageBegan = Instant.now();
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            GenericKubernetesResource deployment = pool.get();
            assertThat(ObjectMaps.integer(deployment, 0, "status", "readyReplicas")).isEqualTo(poolSize + 1);
            assertThat(ObjectMaps.integer(deployment, 0, "status", "replicas")).isEqualTo(poolSize + 1);
        });
        workload.apps().deployments().inNamespace("widgets").withName("widgets-controller").delete();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            var controller = workload.apps().deployments().inNamespace("widgets").withName("widgets-controller")
                    .get();
            return controller != null && controller.getStatus() != null
                    && Integer.valueOf(1).equals(controller.getStatus().getAvailableReplicas());
        });

        // a worker's machine stops answering: the MachineHealthCheck in the cluster has its MachineSet replace it
        var machines = workload.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.MACHINE).inNamespace(namespace);
        GenericKubernetesResource failing = machines.list().getItems().stream()
                .filter(m -> m.getMetadata().getLabels().containsKey(Capi.DEPLOYMENT_NAME_LABEL)).findFirst()
                .orElseThrow();
        String failedNode = ObjectMaps.string(failing, "status", "nodeRef", "name").orElseThrow();
        int machineCount = machines.list().getItems().size();
        stack.simulator().failNode(endpoint, failedNode);
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            List<GenericKubernetesResource> now = machines.list().getItems();
            assertThat(now).extracting(m -> m.getMetadata().getName()).hasSize(machineCount)
                    .doesNotContain(failing.getMetadata().getName());
            assertThat(now).allSatisfy(m -> assertThat(ObjectMaps.string(m, "status", "phase")).hasValue("Running"));
            assertThat(workload.nodes().withName(failedNode).get()).isNull();
            assertThat(workload.nodes().list().getItems()).hasSize(machineCount).allSatisfy(node -> assertThat(
                    node.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready")
                    && c.getStatus().equals("True")));
        });

        // two minutes of outage at least; what the agent reported meanwhile waits in its cluster
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Duration.between(outageBegan, Instant.now()).compareTo(Duration.ofMinutes(2)) >= 0);
        Set<String> keptDuringOutage = new ConfigMapReportStore(workload, name).load().stream()
                .filter(report -> report.payload().kind() != AgentReport.Kind.HEARTBEAT)
                .map(report -> report.id()).collect(Collectors.toSet());
        assertThat(keptDuringOutage).as("the reports of the scaling, the repair and the replaced node").isNotEmpty();

        // the broker back: the report of the repair, which the agent's report buffer kept, arrives
        stack.kafka().restart();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                TopicReader.payloads(stack.kafka().bootstrapServers(), Topics.AGENT_REPORTS, id))
                .filteredOn(r -> ((AgentReport) r).kind() == AgentReport.Kind.ADDON_REPAIRED)
                .extracting(r -> ((AgentReport) r).addon().message())
                .anySatisfy(m -> assertThat(m).contains("Deployment widgets/widgets-controller was deleted")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<String> delivered = TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.AGENT_REPORTS)
                    .stream().filter(record -> id.equals(record.key())).map(record -> record.value().id()).toList();
            assertThat(delivered.stream().filter(keptDuringOutage::contains))
                    .as("every report the agent kept during the outage, each once")
                    .containsExactlyInAnyOrderElementsOf(keptDuringOutage);
        });
        stack.restart(Service.all());
        // the end of the scaling, reported while the plane was away, ends the change
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(api.get(id).path("change")
                .path("state").asText()).isEqualTo("Applied"));
        assertThat(api.get(id).path("change").path("summary").asText())
                .isEqualTo("pool md-0: " + poolSize + " → " + (poolSize + 1) + " machines");
    }

    @Test
    @Order(5)
    void aKubernetesMinorUpgradeRollsTheControlPlaneFirstThenThePoolsEachNewMachineBeforeAnOldOneGoes()
            throws Exception {
        String id = EXAMPLE_CLUSTERS.get("gcp");
        assertThat(id).as("the gcp example of the tests before").isNotNull();
        KubernetesClient workload = stack.workloadClient(controlPlaneReady(id).apiEndpoint());
        JsonNode before = api.get(id);
        String from = before.path("kubernetesVersion").asText();
        String[] parts = from.substring(1).split("\\.");
        String to = "v" + parts[0] + "." + (Integer.parseInt(parts[1]) + 1) + ".0";
        String oldImage = before.path("spec").path("controlPlane").path("machine").path("image").asText();
        String image = oldImage.replace("v1-" + parts[1] + "-" + parts[2], "v1-" + (Integer.parseInt(parts[1]) + 1)
                + "-0");
        assertThat(image).as("the example's image names its version").isNotEqualTo(oldImage);
        int controlPlane = before.path("spec").path("controlPlane").path("replicas").asInt();
        int workers = 0;
        for (JsonNode pool : before.path("spec").path("workerPools")) {
            workers += pool.path("replicas").asInt();
        }
        var machines = workload.genericKubernetesResources(Capi.CORE_API_VERSION, Capi.MACHINE)
                .inNamespace("team-infra");
        MachineHistory history = new MachineHistory();
        // a watch of the mock API server tells changes only: the machines there are first
        machines.list().getItems().forEach(machine -> history.eventReceived(
                io.fabric8.kubernetes.client.Watcher.Action.ADDED, machine));
        Path config = Files.createTempDirectory("pivotctl-config").resolve("config.yaml");
        Map<String, String> env = Map.of("PIVOTPLANE_CONFIG", config.toString());
        assertThat(PivotctlProcess.run(env, "login", "--context", "infra", "--api-url", stack.apiUrl(), "-p",
                "team-infra", "--token", stack.token("team-infra", "editor")).exitCode()).isZero();

        PivotctlProcess.Result upgraded;
        try (var watch = machines.watch(history)) {
            // the example's machines name an image built for its version: the upgrade names the next one's
            assertThat(PivotctlProcess.run(env, "upgrade", id, "--kubernetes-version", to).err())
                    .contains("is built for the Kubernetes the cluster runs now");
            upgraded = PivotctlProcess.run(env, "upgrade", id, "--kubernetes-version", to, "--image", image, "--wait");
        }

        assertThat(upgraded.exitCode()).as(upgraded.out() + upgraded.err()).isZero();
        assertThat(upgraded.out()).contains("Kubernetes " + from + " → " + to, "applied");
        assertThat(workload.genericKubernetesResources(GcpRenderer.API_VERSION, "GCPMachine").inNamespace("team-infra")
                .list().getItems()).as("every machine booted from the new image, cloned from a new template")
                .hasSize(controlPlane + workers)
                .allSatisfy(machine -> assertThat(ObjectMaps.string(machine, "spec", "image")).hasValue(image));
        assertThat(machines.list().getItems()).hasSize(controlPlane + workers).allSatisfy(machine -> {
            assertThat(ObjectMaps.string(machine, "spec", "version")).hasValue(to);
            assertThat(ObjectMaps.string(machine, "status", "phase")).hasValue("Running");
        });
        assertThat(workload.nodes().list().getItems()).hasSize(controlPlane + workers)
                .allSatisfy(node -> assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo(to));
        assertThat(history.replaced(true, from)).as("control-plane machines replaced").isEqualTo(controlPlane);
        assertThat(history.replaced(false, from)).as("workers replaced").isEqualTo(workers);
        assertThat(history.mostAtOnce(true)).as("KCP's surge of one").isEqualTo(controlPlane + 1);
        assertThat(history.mostAtOnce(false)).as("each MachineDeployment's surge of one, none taken first")
                .isLessThanOrEqualTo(workers + before.path("spec").path("workerPools").size());
        assertThat(history.firstAdded(false, to)).as("the first worker of " + to + " comes after the last"
                + " control-plane machine of " + from + " is gone").isGreaterThan(history.lastDeleted(true, from));
        assertThat(history.firstDeleted(true, from)).as("a new control-plane machine before an old one goes")
                .isGreaterThan(history.firstAdded(true, to));
        assertThat(api.get(id).path("kubernetesVersion").asText()).isEqualTo(to);
    }

    /** Every Machine of a cluster as its API server told them, in order: role, version, added or gone. */
    private static final class MachineHistory implements io.fabric8.kubernetes.client.Watcher<GenericKubernetesResource> {

        private record Seen(String name, boolean controlPlane, String version, boolean added) {
        }

        private final List<Seen> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Map<String, Boolean> present = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<Boolean, Integer> most = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public synchronized void eventReceived(Action action, GenericKubernetesResource machine) {
            String name = machine.getMetadata().getName();
            boolean controlPlane = machine.getMetadata().getLabels().containsKey(Capi.CONTROL_PLANE_LABEL);
            String version = ObjectMaps.string(machine, "spec", "version").orElse("");
            boolean gone = action == Action.DELETED;
            boolean known = present.containsKey(name);
            if (gone && known) {
                present.remove(name);
                events.add(new Seen(name, controlPlane, version, false));
            } else if (!gone && !known) {
                present.put(name, controlPlane);
                events.add(new Seen(name, controlPlane, version, true));
            }
            long count = present.values().stream().filter(role -> role == controlPlane).count();
            most.merge(controlPlane, (int) count, Math::max);
        }

        @Override
        public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
        }

        int replaced(boolean controlPlane, String oldVersion) {
            return (int) events.stream().filter(e -> !e.added() && e.controlPlane() == controlPlane
                    && e.version().equals(oldVersion)).count();
        }

        int mostAtOnce(boolean controlPlane) {
            return most.getOrDefault(controlPlane, 0);
        }

        int firstAdded(boolean controlPlane, String version) {
            return index(e -> e.added() && e.controlPlane() == controlPlane && e.version().equals(version), true);
        }

        int firstDeleted(boolean controlPlane, String version) {
            return index(e -> !e.added() && e.controlPlane() == controlPlane && e.version().equals(version), true);
        }

        int lastDeleted(boolean controlPlane, String version) {
            return index(e -> !e.added() && e.controlPlane() == controlPlane && e.version().equals(version), false);
        }

        private int index(java.util.function.Predicate<Seen> matching, boolean first) {
            int found = -1;
            for (int i = 0; i < events.size(); i++) {
                if (matching.test(events.get(i))) {
                    if (first) {
                        return i;
                    }
                    found = i;
                }
            }
            if (found < 0) {
                throw new AssertionError("no such machine event among " + events);
            }
            return found;
        }
    }

    @Test
    @Order(6)
    void aUserCreatesWatchesDescribesAndDeletesAClusterWithPivotctl() throws Exception {
        Path config = Files.createTempDirectory("pivotctl-config").resolve("config.yaml");
        Map<String, String> env = Map.of("PIVOTPLANE_CONFIG", config.toString());
        PivotctlProcess.Result anonymous = PivotctlProcess.run(Map.of("PIVOTPLANE_API_URL", stack.apiUrl(),
                "PIVOTPLANE_CONFIG", config.toString()), "list");
        assertThat(anonymous.exitCode()).isEqualTo(6);
        assertThat(anonymous.err()).contains("needs a token and none is set", "pivotctl login");
        PivotctlProcess.Result viewer = PivotctlProcess.run(env, "login", "--context", "viewer", "--api-url",
                stack.apiUrl(), "-p", "team-a", "--token", stack.token("team-a", "viewer"));
        assertThat(viewer.exitCode()).as(viewer.err()).isZero();
        PivotctlProcess.Result editor = PivotctlProcess.run(env, "login", "--context", "team-a", "--api-url",
                stack.apiUrl(), "-p", "team-a", "--token", stack.token("team-a", "editor"));
        assertThat(editor.out()).contains("logged in to " + stack.apiUrl() + " as editor@team-a, project team-a");

        PivotctlProcess.Result created = PivotctlProcess.run(env, "create", "-f", "examples/maas.yaml", "-o", "json");
        assertThat(created.exitCode()).as(created.err()).isZero();
        String id = PivotplaneApi.JSON.readTree(created.out()).path("id").asText();

        PivotctlProcess.Result watched = PivotctlProcess.run(env, "watch", "edge-maas");
        assertThat(watched.exitCode()).as(watched.err()).isZero();
        assertThat(watched.out()).containsSubsequence("1/5 Requested", "2/5 SpecsCreated", "3/5 ControlPlaneReady",
                "4/5 Pivoted", "5/5 AddonsInstalled", "READY");

        PivotctlProcess.Result got = PivotctlProcess.run(env, "get", "edge-maas", "-p", "team-a", "-o", "yaml");
        assertThat(got.out()).contains("stage: AddonsInstalled", "name: edge-maas", "id: " + id);
        PivotctlProcess.Result described = PivotctlProcess.run(env, "describe", id);
        assertThat(described.out()).contains("Stage:      AddonsInstalled", "in the workload cluster itself",
                "MaasCluster", "team-namespace", "Installed", "Last error: none");
        PivotctlProcess.Result listed = PivotctlProcess.run(env, "list");
        assertThat(listed.out()).contains("edge-maas", "maas", "AddonsInstalled");

        PivotctlProcess.Result notAllowed = PivotctlProcess.run(env, "delete", "edge-maas", "--context", "viewer");
        assertThat(notAllowed.exitCode()).as(notAllowed.err()).isEqualTo(7);
        assertThat(notAllowed.err()).contains("viewer@team-a may not delete clusters in project 'team-a'");
        assertThat(stack.simulator().workloadClient(controlPlaneReady(id).apiEndpoint())).isPresent();
        PivotctlProcess.Result deleted = PivotctlProcess.run(env, "delete", "edge-maas", "--wait");
        assertThat(deleted.exitCode()).as(deleted.err()).isZero();
        assertThat(deleted.out()).containsSubsequence("Deleting", "Deleted", "DELETED");
        // its last control-plane machine took the workload cluster's API server with it
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.simulator()
                .workloadClient(controlPlaneReady(id).apiEndpoint()).isEmpty());
        assertThat(clusterObjects(stack.management().client(), "team-a", "edge-maas")).isEmpty();

        PivotctlProcess.Result again = PivotctlProcess.run(env, "delete", id);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("deleted already");
        PivotctlProcess.Result unknown = PivotctlProcess.run(env, "get", "no-such-cluster");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).startsWith("error: no cluster named no-such-cluster in project team-a");
    }

    @Test
    @Order(7)
    void everyMetricOfTheGrafanaDashboardIsExposedByARunningService() throws Exception {
        JsonNode dashboard = PivotplaneApi.read(PROJECT.resolve("deploy/grafana/pivotplane-pipeline.json"));
        Set<String> queried = new java.util.TreeSet<>();
        java.util.regex.Pattern metric = java.util.regex.Pattern.compile("pivotplane_[a-z_]+");
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target -> {
            java.util.regex.Matcher matcher = metric.matcher(target.path("expr").asText());
            while (matcher.find()) {
                queried.add(matcher.group());
            }
        }));
        StringBuilder exposed = new StringBuilder();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (Service service : Service.values()) {
            exposed.append(http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + stack.port(service) + "/q/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        }

        assertThat(queried).hasSizeGreaterThanOrEqualTo(6);
        assertThat(queried).allSatisfy(name -> assertThat(exposed.toString()).as(name).contains(name));
    }

    @Test
    @Order(8)
    void aClusterRequestResourceAppliedToTheManagementClusterEndsSelfManagedAndItsStatusSaysSo() throws Exception {
        GenericKubernetesResource request = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readValue(
                java.nio.file.Files.readString(PROJECT.resolve("examples/azure.yaml")), GenericKubernetesResource.class);
        request.getMetadata().setNamespace("team-declarative");
        // its profile declared as a resource too, applied with it, as a GitOps tool applies a folder
        ObjectMaps.mapAt(request, "spec").put("profile", new java.util.LinkedHashMap<>(Map.of("name", "declarative",
                "version", "1.0.0")));
        GenericKubernetesResource profile = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readValue(java.nio.file.Files.readString(
                        PROJECT.resolve("examples/profiles/baseline-1.0.0.yaml")).replace("http://127.0.0.1:8078/",
                        stack.chartsUrl()), GenericKubernetesResource.class);
        profile.getMetadata().setName("declarative");
        TestCredentials.prepare(stack.management().client(), ClusterRequestDocument.body(
                java.nio.file.Files.readString(PROJECT.resolve("examples/azure.yaml")).replace(
                        "namespace: team-a", "namespace: team-declarative")));
        var resource = stack.management().client().resource(request);
        resource.create();
        stack.management().client().resource(profile).create();

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(ObjectMaps.string(resource.get(), "status", "stage")).contains("AddonsInstalled"));
        String id = ObjectMaps.string(resource.get(), "status", "clusterId").orElseThrow();
        assertThat(api.timeline(id)).containsExactlyElementsOf(STAGES_IN_ORDER);
        assertThat(api.get(id).path("spec").path("profile").path("name").asText()).isEqualTo("declarative");
        assertThat(ObjectMaps.string(stack.management().client().resource(profile).get(), "status", "stored"))
                .contains("True");

        resource.delete();
        awaitStage(id, "Deleted", Duration.ofMinutes(3));
    }

    @Test
    @Order(9)
    void theServicesRbacInDeployAllowsEveryCallTheyMadeToTheManagementClusterAndNoResourceTheyDoNotUse()
            throws Exception {
        Kustomize.assumeAvailable();
        List<String> accounts = List.of("request-service", "spec-service", "provisioner-service", "pivot-service");
        // The simulator and this test call the API server too, with a token of their own.
        List<ApiRequest> requests = stack.management().authenticatedRequests().stream()
                .filter(request -> accounts.contains(request.user())).toList();
        assertThat(requests).extracting(ApiRequest::user).containsAll(accounts);
        for (String overlayName : List.of("dev", "production")) {
            Overlay overlay = Overlay.render(PROJECT, overlayName);
            assertThat(requests).as("calls the RBAC of deploy/overlays/" + overlayName + " forbids")
                    .filteredOn(request -> !overlay.allows(request.user(), "pivotplane", request.verb(),
                            request.apiGroup(), request.rbacResource(), request.namespace()))
                    .isEmpty();
            for (String account : accounts) {
                Set<String> used = requests.stream().filter(request -> request.user().equals(account))
                        .map(request -> request.apiGroup() + "/" + request.rbacResource()).collect(Collectors.toSet());
                overlay.rulesOf(account, "pivotplane", "").forEach(rule -> rule.getApiGroups().forEach(group ->
                        rule.getResources().stream().filter(resource -> !resource.equals("*")).forEach(resource ->
                                assertThat(used).as(account + " uses what its RBAC grants").contains(group + "/" + resource))));
            }
        }
    }

    @Test
    @Order(10)
    void noSecretOfTheRunIsInAnyEventDatabaseRowApiAnswerOrLogLine() throws Exception {
        Map<String, String> planted = new java.util.LinkedHashMap<>();
        TestCredentials.SECRET_VALUES.forEach(value -> planted.put(value, "a provider credential's secret value"));
        planted.put(stack.agentKeysSecret(), "the plane's agent-keys secret");
        planted.put(token, "the bearer token the API was called with");
        List<String> pivotedIds = TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.CLUSTER_PIVOTED)
                .stream().map(record -> record.key()).distinct().toList();
        assertThat(pivotedIds).as("clusters of the earlier tests").isNotEmpty();
        for (String id : pivotedIds) {
            planted.put(java.util.Base64.getEncoder().encodeToString(AgentMacs.agentKey(
                    AgentMacs.decodeKey(stack.agentKeysSecret(), "secret"), id)), "the agent key of cluster " + id);
            planted.put(AgentMacs.agentKafkaPassword(AgentMacs.decodeKey(stack.agentKeysSecret(), "secret"), id),
                    "the Kafka password of the agent of cluster " + id);
        }
        for (Service service : Service.values()) {
            planted.put(stack.kafka().passwordOf(service.module()), "the Kafka password of " + service.module());
        }
        SecretScan scan = new SecretScan(planted);

        scan.topics(stack.kafka().bootstrapServers());
        for (Service service : Service.values()) {
            scan.database(stack.postgres().jdbcUrl(service.database()), EmbeddedPostgresServer.USER,
                    EmbeddedPostgresServer.PASSWORD);
        }
        JsonNode page = api.list(100);
        scan.text("GET /api/v1/clusters", page.toString());
        for (JsonNode cluster : page.path("items")) {
            scan.text("GET /api/v1/clusters/" + cluster.path("id").asText(), api.get(cluster.path("id").asText())
                    .toString());
        }
        output.lines().forEach(line -> scan.text("the stack's log", line));

        assertThat(scan.findings()).as("secrets where they must not be").isEmpty();
        // the scan reads what it should: the ids of the clusters are everywhere it looked
        SecretScan control = new SecretScan(Map.of(pivotedIds.get(0), "a cluster id"));
        control.topics(stack.kafka().bootstrapServers());
        control.text("GET /api/v1/clusters", page.toString());
        output.lines().forEach(line -> control.text("the stack's log", line));
        assertThat(control.findings()).extracting(SecretScan.Finding::where)
                .anyMatch(where -> where.startsWith("topic cluster.pivoted"))
                .contains("GET /api/v1/clusters", "the stack's log");
    }

    /** The README's vSphere request, its profile (Flannel) with metrics-server's account added. */
    static ObjectNode vsphereRequest(String name, String project) throws IOException {
        ObjectNode request = (ObjectNode) PivotplaneApi.read(PROJECT.resolve("examples/vsphere-request.json"));
        request.put("name", name);
        request.put("project", project);
        ArrayNode addons = (ArrayNode) request.path("profile").path("addons");
        addons.addObject().put("name", "metrics-server").put("version", "0.7.2").putArray("manifests").add("""
                apiVersion: v1
                kind: ServiceAccount
                metadata:
                  name: metrics-server
                  namespace: kube-system
                """);
        return request;
    }

    /** Requests the cluster once its operator has created the credentials it names, as a user would. */
    @SuppressWarnings("unchecked")
    private static String create(Object request) throws Exception {
        Map<String, Object> body = PivotplaneApi.JSON.convertValue(request, Map.class);
        return api.create(TestCredentials.prepare(stack.management().client(), body));
    }

    private static void awaitStage(String id, String stage, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(500))
                .failFast("the cluster failed", () -> "Failed".equals(api.stage(id)) && !"Failed".equals(stage))
                .until(() -> stage.equals(api.stage(id)));
    }

    private static ControlPlaneReady controlPlaneReady(String id) {
        return (ControlPlaneReady) TopicReader.readAll(stack.kafka().bootstrapServers(),
                Topics.CLUSTER_CONTROL_PLANE_READY).stream().filter(record -> id.equals(record.key()))
                .findFirst().orElseThrow().value().payload();
    }

    /**
     * kind/name of the objects the pivot moved, less the control plane's init lock ({@code <cluster>-lock}): CABPK
     * releases it (deletes the ConfigMap) when it next reconciles a joining machine's config, which after the pivot
     * happens in the workload cluster.
     */
    private static Set<String> movedAndKept(String id, String cluster) {
        return pivoted(id).movedObjects().stream().map(o -> o.kind() + "/" + o.name())
                .filter(object -> !object.equals("ConfigMap/" + cluster + "-lock"))
                .collect(Collectors.toSet());
    }

    private static Pivoted pivoted(String id) {
        return (Pivoted) TopicReader.readAll(stack.kafka().bootstrapServers(), Topics.CLUSTER_PIVOTED).stream()
                .filter(record -> id.equals(record.key())).findFirst().orElseThrow().value().payload();
    }

    /** kind/name of the objects of the moved types that belong to the cluster (by label or by name). */
    static Set<String> clusterObjects(KubernetesClient client, String namespace, String cluster) {
        return objects(client, namespace).stream()
                .filter(o -> (o.getMetadata().getLabels() != null
                        && cluster.equals(o.getMetadata().getLabels().get(Capi.CLUSTER_NAME_LABEL)))
                        || o.getMetadata().getName().equals(cluster)
                        || o.getMetadata().getName().startsWith(cluster + "-"))
                .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .collect(Collectors.toSet());
    }

    /** The namespace's objects of every kind clusterctl's providers installed there, its Secrets and ConfigMaps. */
    static List<HasMetadata> objects(KubernetesClient client, String namespace) {
        List<HasMetadata> objects = new ArrayList<>();
        for (var crd : client.apiextensions().v1().customResourceDefinitions()
                .withLabel("clusterctl.cluster.x-k8s.io").list().getItems()) {
            if (!"Namespaced".equals(crd.getSpec().getScope())) {
                continue;
            }
            var version = crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getStorage()))
                    .findFirst().orElseThrow();
            objects.addAll(client.genericKubernetesResources(new io.fabric8.kubernetes.client.dsl.base
                    .ResourceDefinitionContext.Builder().withGroup(crd.getSpec().getGroup())
                    .withVersion(version.getName()).withKind(crd.getSpec().getNames().getKind())
                    .withPlural(crd.getSpec().getNames().getPlural()).withNamespaced(true).build())
                    .inNamespace(namespace).list().getItems());
        }
        objects.addAll(client.secrets().inNamespace(namespace).list().getItems());
        objects.addAll(client.configMaps().inNamespace(namespace).list().getItems());
        return objects;
    }

    static void assertOwnerReferencesResolve(KubernetesClient client, String namespace) {
        List<HasMetadata> objects = objects(client, namespace);
        Set<String> uids = objects.stream().map(o -> o.getMetadata().getUid()).collect(Collectors.toSet());
        for (HasMetadata object : objects) {
            for (OwnerReference owner : Objects.requireNonNullElse(object.getMetadata().getOwnerReferences(),
                    List.<OwnerReference>of())) {
                assertThat(uids).as("owner %s of %s %s", owner.getName(), object.getKind(),
                        object.getMetadata().getName()).contains(owner.getUid());
            }
        }
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 6);
    }
}
