package io.pivotplane.capi.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.capi.Examples;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterRequestValidatorTest {

    private final ClusterRequestValidator validator = new ClusterRequestValidator();

    @ParameterizedTest
    @MethodSource("io.pivotplane.capi.Examples#providers")
    void aCompleteRequestOfEveryProviderIsAccepted(String provider) {
        ClusterSpec spec = validator.validate(input(body(provider)));

        assertThat(spec.infrastructure().provider()).isEqualTo(provider);
        assertThat(spec.controlPlane().replicas()).isEqualTo(3);
        assertThat(spec.workerPools()).singleElement().satisfies(p -> assertThat(p.replicas()).isEqualTo(3));
    }

    @ParameterizedTest
    @MethodSource("io.pivotplane.capi.Examples#providers")
    void everyRequiredParameterOfEveryProviderIsNamedWhenMissing(String provider) {
        Map<String, Object> body = body(provider);
        Map<String, Object> parameters = child(body, "infrastructure", "parameters");
        List<String> required = Provider.fromId(provider).orElseThrow().parameters().stream()
                .filter(Provider.Field::required).map(Provider.Field::name).toList();
        required.forEach(parameters::remove);

        assertThat(violations(body)).extracting(Violation::field)
                .containsExactlyInAnyOrderElementsOf(required.stream().map(f -> "infrastructure.parameters." + f).toList());
    }

    @ParameterizedTest
    @MethodSource("io.pivotplane.capi.Examples#providers")
    void everyRequiredMachineFieldIsNamedWhenMissing(String provider) {
        Map<String, Object> body = body(provider);
        child(body, "controlPlane", "machine").clear();
        List<String> required = Provider.fromId(provider).orElseThrow().machineFields().stream()
                .filter(Provider.Field::required).map(Provider.Field::name).toList();

        assertThat(violations(body)).extracting(Violation::field)
                .containsExactlyInAnyOrderElementsOf(required.stream().map(f -> "controlPlane.machine." + f).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Edge", "edge_42", "-edge", "edge-", "edge.42"})
    void aNameThatIsNotADnsLabelIsRefused(String name) {
        assertThat(violations(named("vsphere", name))).extracting(Violation::field).containsExactly("name");
    }

    @org.junit.jupiter.api.Test
    void aNameLongerThan63CharactersIsRefused() {
        assertThat(violations(named("vsphere", "a".repeat(64))))
                .extracting(Violation::field).contains("name");
        assertThat(validator.validate(input(withoutPools(named("vsphere", "a".repeat(63)))))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 2, 4, 9})
    void evenNonPositiveOrMoreThanSevenControlPlaneReplicasAreRefused(int replicas) {
        Map<String, Object> body = body("vsphere");
        child(body, "controlPlane").put("replicas", replicas);

        assertThat(violations(body)).extracting(Violation::field).containsExactly("controlPlane.replicas");
    }

    @org.junit.jupiter.api.Test
    void theHealthCheckTakesTheRequestsValuesAndDefaultsForWhatItLeavesOut() {
        Map<String, Object> body = body("vsphere");
        body.put("healthCheck", new java.util.LinkedHashMap<>(Map.of("unhealthyAfter", "1h30m", "maxUnhealthy", 2)));

        ClusterSpec spec = validator.validate(input(body));

        assertThat(spec.healthCheck()).isEqualTo(new io.pivotplane.events.model.HealthCheck("1h30m", "10m", "2"));
        assertThat(validator.validate(input(body("vsphere"))).healthCheck())
                .isEqualTo(io.pivotplane.events.model.HealthCheck.DEFAULT);
    }

    @org.junit.jupiter.api.Test
    void aHealthCheckWithDurationsGoCannotReadOrOutOfRangeOrMoreThanAllMachinesIsRefused() {
        Map<String, Object> body = body("vsphere");
        body.put("healthCheck", Map.of("unhealthyAfter", "5 minutes", "nodeStartupTimeout", "48h",
                "maxUnhealthy", "140%"));

        assertThat(violations(body)).extracting(Violation::field).containsExactlyInAnyOrder(
                "healthCheck.unhealthyAfter", "healthCheck.nodeStartupTimeout", "healthCheck.maxUnhealthy");
        assertThat(violations(body)).extracting(Violation::message).anySatisfy(m -> assertThat(m)
                .contains("a duration such as 90s")).anySatisfy(m -> assertThat(m).contains("from 1s to 24h"));
    }

    @org.junit.jupiter.api.Test
    void negativeWorkerReplicasAreRefusedAndZeroIsAccepted() {
        Map<String, Object> body = body("vsphere");
        @SuppressWarnings("unchecked")
        Map<String, Object> pool = ((List<Map<String, Object>>) body.get("workerPools")).get(0);
        pool.put("replicas", -1);
        assertThat(violations(body)).extracting(Violation::field).containsExactly("workerPools[0].replicas");

        pool.put("replicas", 0);
        assertThat(validator.validate(input(body)).workerPools().get(0).replicas()).isZero();
    }

    @org.junit.jupiter.api.Test
    void moreWorkersThanKubernetesTakesInOneClusterAreRefused() {
        Map<String, Object> body = body("vsphere");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> pools = (List<Map<String, Object>>) body.get("workerPools");
        pools.get(0).put("replicas", 5001);
        assertThat(violations(body)).extracting(Violation::field)
                .containsExactlyInAnyOrder("workerPools", "workerPools[0].replicas");

        pools.get(0).put("replicas", 3000);
        Map<String, Object> second = new java.util.LinkedHashMap<>(pools.get(0));
        second.put("name", "second");
        pools.add(second);
        assertThat(violations(body)).extracting(Violation::field).containsExactly("workerPools");

        second.put("replicas", 2000);
        assertThat(validator.validate(input(body)).workerPools()).hasSize(2);
    }

    @org.junit.jupiter.api.Test
    void aProfileWhoseManifestsWouldNotFitInAnEventIsRefused() {
        Map<String, Object> body = body("vsphere");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> addons = (List<Map<String, Object>>) child(body, "profile").get("addons");
        String big = "# " + "x".repeat(ClusterRequestValidator.MAX_PROFILE_MANIFEST_BYTES / 2) + "\n"
                + "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n";
        addons.add(new java.util.LinkedHashMap<>(Map.of("name", "big-1", "manifests", List.of(big))));
        assertThat(validator.validate(input(body))).isNotNull();

        addons.add(new java.util.LinkedHashMap<>(Map.of("name", "big-2", "manifests", List.of(big))));
        assertThat(violations(body)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("profile.addons");
            assertThat(v.message()).contains("KiB");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.30.5", "v1.30", "v1.30.x", "latest", "v01.30.5"})
    void aMalformedKubernetesVersionIsRefused(String version) {
        Map<String, Object> body = body("vsphere");
        body.put("kubernetesVersion", version);

        assertThat(violations(body)).extracting(Violation::field).containsExactly("kubernetesVersion");
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.27.9", "v1.33.0", "v2.30.0"})
    void aKubernetesVersionTheClustersOwnClusterApiDoesNotSupportIsRefused(String version) {
        Map<String, Object> body = body("gcp");
        body.put("kubernetesVersion", version);

        assertThat(violations(body)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("kubernetesVersion");
            assertThat(v.message()).contains("outside what Cluster API v1.9 supports where it runs, v1.28 to v1.32");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.28.0", "v1.32.4"})
    void theOldestAndNewestMinorsClusterApiSupportsWhereItRunsAreAccepted(String version) {
        Map<String, Object> body = body("gcp");
        body.put("kubernetesVersion", version);

        assertThat(validator.validate(input(body)).kubernetesVersion()).isEqualTo(version);
    }

    @org.junit.jupiter.api.Test
    void anUnknownProviderIsRefusedAndTheKnownOnesAreListed() {
        Map<String, Object> body = body("vsphere");
        child(body, "infrastructure").put("provider", "openstack");

        assertThat(violations(body)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("infrastructure.provider");
            assertThat(v.message()).contains("openstack").contains("aws", "gcp", "azure", "vsphere", "maas");
        });
    }

    @org.junit.jupiter.api.Test
    void aParameterTheProviderDoesNotKnowIsRefused() {
        Map<String, Object> body = body("aws");
        child(body, "infrastructure", "parameters").put("regoin", "eu-west-1");

        assertThat(violations(body)).extracting(Violation::field).containsExactly("infrastructure.parameters.regoin");
    }

    @org.junit.jupiter.api.Test
    void credentialsAreRequiredWhereTheProviderUsesThemAndRefusedWhereItDoesNot() {
        Map<String, Object> aws = body("aws");
        child(aws, "infrastructure").remove("credentialsRef");
        assertThat(violations(aws)).extracting(Violation::field).containsExactly("infrastructure.credentialsRef");

        Map<String, Object> maas = body("maas");
        child(maas, "infrastructure").put("credentialsRef", "maas-creds");
        assertThat(violations(maas)).extracting(Violation::field).containsExactly("infrastructure.credentialsRef");
    }

    @org.junit.jupiter.api.Test
    void everyProblemIsReportedAtOnce() {
        Map<String, Object> body = named("vsphere", "Edge_42");
        body.put("kubernetesVersion", "1.30");
        child(body, "controlPlane").put("replicas", 2);
        body.put("sshAuthorizedKeys", List.of("not a key"));

        assertThat(violations(body)).extracting(Violation::field)
                .containsExactlyInAnyOrder("name", "kubernetesVersion", "controlPlane.replicas", "sshAuthorizedKeys[0]");
    }

    @org.junit.jupiter.api.Test
    void machineIntegersGivenAsStringsAreNormalized() {
        Map<String, Object> body = body("vsphere");
        child(body, "controlPlane", "machine").put("numCPUs", "8");

        assertThat(validator.validate(input(body)).controlPlane().machine()).containsEntry("numCPUs", 8);
    }

    @org.junit.jupiter.api.Test
    void duplicatePoolAndAddonNamesAreRefused() {
        Map<String, Object> body = body("vsphere");
        Map<String, Object> machine = Map.of("numCPUs", 2, "memoryMiB", 4096, "diskGiB", 20);
        body.put("workerPools", List.of(Map.of("name", "md", "replicas", 1, "machine", machine),
                Map.of("name", "md", "replicas", 2, "machine", machine)));
        body.put("profile", Map.of("addons", List.of(cni("calico"), cni("calico"))));

        assertThat(violations(body)).extracting(Violation::field)
                .containsExactlyInAnyOrder("workerPools[1].name", "profile.addons[1].name");
    }

    @org.junit.jupiter.api.Test
    void aProfileWithoutANetworkPluginIsRefusedWithTheReason() {
        Map<String, Object> body = body("vsphere");
        body.put("profile", Map.of("name", "apps-only", "addons", List.of(Map.of("name", "team-namespace",
                "manifests", List.of("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n")))));

        assertThat(violations(body)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("profile.addons");
            assertThat(v.message()).contains("layer 'cni'").contains("no node becomes Ready");
        });
        body.remove("profile");
        assertThat(violations(body)).extracting(Violation::field).containsExactly("profile.addons");
    }

    @org.junit.jupiter.api.Test
    void aKubernetesMinorWithoutACloudControllerManagerReleaseIsRefusedWhereTheClusterNeedsOne() {
        Map<String, Object> aws = body("aws");
        aws.put("kubernetesVersion", "v1.29.4");
        assertThat(violations(aws)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("kubernetesVersion");
            assertThat(v.message()).contains("cloud-controller-manager", "v1.30");
        });

        Map<String, Object> gcp = body("gcp");
        gcp.put("kubernetesVersion", "v1.29.4");
        assertThat(validator.validate(input(gcp)).kubernetesVersion()).isEqualTo("v1.29.4");
    }

    @org.junit.jupiter.api.Test
    void anAddonWithNothingToApplyIsRefused() {
        Map<String, Object> body = body("vsphere");
        body.put("profile", Map.of("addons", List.of(cni("flannel"), Map.of("name", "empty", "manifests", List.of(" ")))));

        assertThat(violations(body)).extracting(Violation::field).containsExactly("profile.addons[1].manifests");
    }

    @org.junit.jupiter.api.Test
    void aChartAddonBecomesAChartWithItsValuesAsYamlAndItsOrdering() {
        Map<String, Object> body = body("vsphere");
        body.put("profile", Map.of("addons", List.of(cni("calico"), Map.of("name", "widgets",
                "chart", Map.of("repository", "https://charts.example.com/stable", "name", "widgets",
                        "version", "1.0.0", "namespace", "widgets", "values", Map.of("replicas", 2)),
                "priority", 3, "dependsOn", List.of("calico"), "continueOnError", true,
                "readyTimeoutSeconds", 120))));

        var widgets = validator.validate(input(body)).profile().addons().get(1);

        assertThat(widgets.chart()).isEqualTo(new io.pivotplane.events.model.Addon.Chart(
                "https://charts.example.com/stable", "widgets", "1.0.0", "widgets", "---\nreplicas: 2\n"));
        assertThat(widgets.priority()).isEqualTo(3);
        assertThat(widgets.dependsOn()).containsExactly("calico");
        assertThat(widgets.continueOnError()).isTrue();
        assertThat(widgets.readyTimeoutSeconds()).isEqualTo(120);
    }

    @org.junit.jupiter.api.Test
    void chartsAndDependenciesThatCouldNeverInstallAreRefusedSayingWhy() {
        Map<String, Object> body = body("vsphere");
        Map<String, Object> chart = Map.of("repository", "ftp://charts", "name", "widgets", "version", "~1.0");
        body.put("profile", Map.of("addons", List.of(cni("calico"),
                Map.of("name", "both", "chart", Map.of("repository", "https://c", "name", "x", "version", "1.0.0"),
                        "manifests", List.of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")),
                Map.of("name", "bad-chart", "chart", chart),
                Map.of("name", "early", "priority", 0, "dependsOn", List.of("late", "nobody"),
                        "manifests", List.of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e\n")),
                Map.of("name", "late", "priority", 5, "dependsOn", List.of("early"),
                        "manifests", List.of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l\n")))));

        assertThat(violations(body)).extracting(Violation::field).containsExactlyInAnyOrder(
                "profile.addons[1]", "profile.addons[2].chart.repository", "profile.addons[2].chart.version",
                "profile.addons[3].dependsOn[0]", "profile.addons[3].dependsOn[1]", "profile.addons");
        assertThat(violations(body)).filteredOn(v -> v.field().equals("profile.addons[3].dependsOn[0]"))
                .singleElement().satisfies(v -> assertThat(v.message()).contains("installs after"));
        assertThat(violations(body)).filteredOn(v -> v.field().equals("profile.addons")).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("must not go round"));
    }

    private static Map<String, Object> cni(String name) {
        return Map.of("name", name, "layer", "cni", "manifests", List.of("apiVersion: apps/v1\nkind: DaemonSet\n"
                + "metadata:\n  name: " + name + "\n  namespace: kube-system\n"));
    }

    @org.junit.jupiter.api.Test
    void anAzureClusterNameLongerThanCapzAllowsIsRefused() {
        assertThat(violations(named("azure", "a".repeat(45)))).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("at most 44 characters for azure"));
        assertThat(validator.validate(input(named("azure", "a".repeat(44))))).isNotNull();
    }

    @org.junit.jupiter.api.Test
    void machineSizesOutsideTheProvidersLimitsAreRefused() {
        Map<String, Object> aws = body("aws");
        child(aws, "controlPlane", "machine").put("rootVolumeGiB", 7);
        assertThat(violations(aws)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("controlPlane.machine.rootVolumeGiB");
            assertThat(v.message()).contains("at least 8");
        });

        Map<String, Object> azure = body("azure");
        child(azure, "controlPlane", "machine").put("osDiskGiB", 4096);
        assertThat(violations(azure)).extracting(Violation::field).containsExactly("controlPlane.machine.osDiskGiB");
    }

    @org.junit.jupiter.api.Test
    void parametersOutsideTheirAllowedValuesOrFormAreRefused() {
        Map<String, Object> aws = body("aws");
        child(aws, "infrastructure", "parameters").put("identityKind", "AWSClusterMagicIdentity");
        assertThat(violations(aws)).extracting(Violation::field).containsExactly("infrastructure.parameters.identityKind");

        Map<String, Object> gcp = body("gcp");
        child(gcp, "infrastructure", "parameters").put("project", "My Project");
        assertThat(violations(gcp)).extracting(Violation::field).containsExactly("infrastructure.parameters.project");
    }

    @org.junit.jupiter.api.Test
    void anAzureWorkloadIdentityNeedsNoSecretAndRefusesOne() {
        Map<String, Object> azure = body("azure");
        child(azure, "infrastructure", "parameters").put("identityType", "WorkloadIdentity");
        assertThat(violations(azure)).extracting(Violation::field).containsExactly("infrastructure.credentialsRef");

        child(azure, "infrastructure").remove("credentialsRef");
        assertThat(validator.validate(input(azure)).infrastructure().credentialsRef()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "kube-system", "kube-public", "capi-system", "capv-system", "cert-manager",
            "pivotplane"})
    void aProjectNamedAsANamespaceThePlatformOwnsIsRefused(String project) {
        Map<String, Object> body = body("vsphere");
        body.put("project", project);

        assertThat(violations(body)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("project");
            assertThat(v.message()).contains("'" + project + "'", "choose another project name");
        });
    }

    @org.junit.jupiter.api.Test
    void manifestsThatAreNotKubernetesObjectsAreRefusedNamingTheDocument() {
        Map<String, Object> body = body("vsphere");
        body.put("profile", Map.of("addons", List.of(cni("flannel"), Map.of("name", "odd", "manifests", List.of(
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fine\n---\nkind: ConfigMap\n",
                "key: [unclosed",
                "- just\n- a list\n")))));

        assertThat(violations(body)).extracting(Violation::field, Violation::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("profile.addons[1].manifests[0]",
                        "document 2: a Kubernetes object needs apiVersion, kind and metadata.name"),
                org.assertj.core.groups.Tuple.tuple("profile.addons[1].manifests[1]",
                        violations(body).get(1).message()),
                org.assertj.core.groups.Tuple.tuple("profile.addons[1].manifests[2]",
                        "document 1: must be a Kubernetes object (a mapping), is array"));
        assertThat(violations(body).get(1).message()).startsWith("document 1 is not YAML: ");
    }

    @org.junit.jupiter.api.Test
    void anInlineSecretAndAClusterAdminBindingForAnonymousCallersAreRefused() {
        Map<String, Object> body = body("vsphere");
        body.put("profile", Map.of("addons", List.of(cni("flannel"), Map.of("name", "unsafe", "manifests", List.of(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: vcenter\nstringData:\n  password: hunter2\n",
                """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: open-door
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                subjects:
                - {apiGroup: rbac.authorization.k8s.io, kind: User, name: system:anonymous}
                """,
                """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata:
                  name: operators
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                subjects:
                - {kind: ServiceAccount, name: operator, namespace: ops}
                """)))));

        List<Violation> violations = violations(body);

        assertThat(violations).extracting(Violation::field)
                .containsExactly("profile.addons[1].manifests[0]", "profile.addons[1].manifests[1]");
        assertThat(violations.get(0).message()).contains("Secret 'vcenter'", "in clear").doesNotContain("hunter2");
        assertThat(violations.get(1).message()).contains("'open-door'", "cluster-admin", "system:anonymous");
    }

    @org.junit.jupiter.api.Test
    void aMissingBodyIsRefused() {
        assertThatThrownBy(() -> validator.validate(null)).isInstanceOf(InvalidClusterRequestException.class);
    }

    private List<Violation> violations(Map<String, Object> body) {
        try {
            validator.validate(input(body));
        } catch (InvalidClusterRequestException e) {
            return e.violations();
        }
        throw new AssertionError("expected the request to be refused: " + body);
    }

    private static Map<String, Object> withoutPools(Map<String, Object> body) {
        body.remove("workerPools");
        return body;
    }

    private static ClusterRequestInput input(Map<String, Object> body) {
        return ClusterRequestDocument.input(body);
    }

    private static Map<String, Object> body(String provider) {
        return Examples.body(provider);
    }

    private static Map<String, Object> named(String provider, String name) {
        Map<String, Object> body = body(provider);
        body.put("name", name);
        return body;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> child(Map<String, Object> body, String... path) {
        Map<String, Object> node = body;
        for (String key : path) {
            node = (Map<String, Object>) node.get(key);
        }
        return node;
    }
}
