package io.pivotplane.capi.components;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.UnsupportedInfrastructureException;
import io.pivotplane.capi.request.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The components clusterctl init installs, as {@link ProviderComponents} renders them from the bundled files. Each
 * file is parsed once for the whole suite (the loader keeps it), so the tests render freely.
 */
class ProviderComponentsTest {

    /** The variables without default of each provider's file: the operator's credentials, and nothing else. */
    static final Map<String, String> CREDENTIALS = Map.of(
            "AWS_B64ENCODED_CREDENTIALS", "W2RlZmF1bHRd",
            "GCP_B64ENCODED_CREDENTIALS", "e30=",
            "VSPHERE_USERNAME", "administrator@vsphere.local",
            "VSPHERE_PASSWORD", "s3cr3t",
            "MAAS_ENDPOINT", "http://maas.example.com:5240/MAAS",
            "MAAS_API_KEY", "consumer:token:secret");
    private static final Set<String> WORKLOAD_KINDS =
            Set.of("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Pod");
    private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

    static Stream<ProviderComponents> components() {
        return ProviderComponents.all().stream();
    }

    static Stream<ProviderComponents> providers() {
        return components().filter(c -> c.providerType().isPresent());
    }

    private static List<GenericKubernetesResource> render(ProviderComponents components) {
        return components.render(CREDENTIALS, Optional.empty(), true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.pivotplane.capi.Examples#providers")
    void forInfrastructureIsClusterctlInitsOrderCertManagerCoreBootstrapControlPlaneInfrastructure(String provider) {
        List<ProviderComponents> order = ProviderComponents.forInfrastructure(provider);

        assertThat(order).extracting(ProviderComponents::manifestLabel).containsExactly("cert-manager", "cluster-api",
                "bootstrap-kubeadm", "control-plane-kubeadm", "infrastructure-" + provider);
        assertThat(order).extracting(c -> c.providerType().orElse("")).containsExactly("", "CoreProvider",
                "BootstrapProvider", "ControlPlaneProvider", "InfrastructureProvider");
    }

    @Test
    void allHoldsCertManagerTheThreeCapiProvidersAndEveryInfrastructureOfARequestOnce() {
        assertThat(ProviderComponents.all()).extracting(ProviderComponents::manifestLabel).containsExactly(
                "cert-manager", "cluster-api", "bootstrap-kubeadm", "control-plane-kubeadm", "infrastructure-aws",
                "infrastructure-gcp", "infrastructure-azure", "infrastructure-vsphere", "infrastructure-maas");
        for (String provider : Provider.ids()) {
            assertThat(ProviderComponents.infrastructure(provider).providerName()).isEqualTo(provider);
        }
        assertThatThrownBy(() -> ProviderComponents.infrastructure("openstack"))
                .isInstanceOf(UnsupportedInfrastructureException.class);
    }

    static Stream<Arguments> identities() {
        return Stream.of(
                Arguments.of("cert-manager", "cert-manager", null, "v1.16.3", "cert-manager",
                        List.of("cert-manager-cainjector", "cert-manager", "cert-manager-webhook")),
                Arguments.of("cluster-api", "cluster-api", "CoreProvider", "v1.9.11", "capi-system",
                        List.of("capi-controller-manager")),
                Arguments.of("bootstrap-kubeadm", "kubeadm", "BootstrapProvider", "v1.9.11",
                        "capi-kubeadm-bootstrap-system", List.of("capi-kubeadm-bootstrap-controller-manager")),
                Arguments.of("control-plane-kubeadm", "kubeadm", "ControlPlaneProvider", "v1.9.11",
                        "capi-kubeadm-control-plane-system", List.of("capi-kubeadm-control-plane-controller-manager")),
                Arguments.of("infrastructure-aws", "aws", "InfrastructureProvider", "v2.7.1", "capa-system",
                        List.of("capa-controller-manager")),
                Arguments.of("infrastructure-gcp", "gcp", "InfrastructureProvider", "v1.8.1", "capg-system",
                        List.of("capg-controller-manager")),
                Arguments.of("infrastructure-azure", "azure", "InfrastructureProvider", "v1.18.1", "capz-system",
                        List.of("capz-controller-manager")),
                Arguments.of("infrastructure-vsphere", "vsphere", "InfrastructureProvider", "v1.12.0", "capv-system",
                        List.of("capv-controller-manager")),
                Arguments.of("infrastructure-maas", "maas", "InfrastructureProvider", "v0.6.0", "capmaas-system",
                        List.of("capmaas-controller-manager")));
    }

    private static ProviderComponents byLabel(String manifestLabel) {
        return ProviderComponents.all().stream().filter(c -> c.manifestLabel().equals(manifestLabel)).findFirst()
                .orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("identities")
    void eachComponentIsWhatClusterctlCallsItAndRunsItsControllersInItsNamespace(String label, String providerName,
                                                                               String type, String version,
                                                                               String namespace,
                                                                               List<String> deployments) {
        ProviderComponents components = byLabel(label);

        assertThat(components.providerName()).isEqualTo(providerName);
        assertThat(components.providerType()).isEqualTo(Optional.ofNullable(type));
        assertThat(components.version()).isEqualTo(version);
        assertThat(components.namespace()).isEqualTo(namespace);
        assertThat(components.deployments()).containsExactlyElementsOf(
                deployments.stream().map(name -> new NamespacedName(namespace, name)).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("identities")
    void theInventoryProviderOfEachProviderIsClusterctlsAndComesLast(String label, String providerName, String type,
                                                                     String version, String namespace) {
        List<GenericKubernetesResource> objects = render(byLabel(label));
        List<GenericKubernetesResource> inventory = objects.stream()
                .filter(o -> "Provider".equals(o.getKind()) && o.getApiVersion().startsWith("clusterctl.")).toList();
        if (type == null) {
            assertThat(inventory).as("cert-manager is no provider").isEmpty();
            return;
        }

        GenericKubernetesResource provider = objects.get(objects.size() - 1);
        assertThat(inventory).containsExactly(provider);
        assertThat(provider.getApiVersion()).isEqualTo("clusterctl.cluster.x-k8s.io/v1alpha3");
        assertThat(provider.getMetadata().getNamespace()).isEqualTo(namespace);
        assertThat(provider.getMetadata().getName()).isEqualTo(label);
        assertThat(provider.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "clusterctl.cluster.x-k8s.io", "", "cluster.x-k8s.io/provider", label,
                "clusterctl.cluster.x-k8s.io/core", "inventory"));
        assertThat(provider.getAdditionalProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "providerName", providerName, "type", type, "version", version));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void everyProviderRendersWithItsDefaultsPlusCredentialsAndEveryObjectCarriesClusterctlsLabels(
            ProviderComponents components) {
        List<GenericKubernetesResource> objects = render(components);

        assertThat(objects).hasSizeGreaterThan(10).allSatisfy(o -> assertThat(o.getMetadata().getLabels())
                .containsEntry("clusterctl.cluster.x-k8s.io", "")
                .containsEntry("cluster.x-k8s.io/provider", components.manifestLabel()));
        assertThat(objects).filteredOn(o -> !Set.of("Namespace", "CustomResourceDefinition", "ClusterRole",
                        "ClusterRoleBinding", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")
                .contains(o.getKind()))
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(components.namespace()));
        assertThat(objects.stream().map(o -> o.getKind() + " " + o.getMetadata().getName()).toList())
                .doesNotHaveDuplicates();
    }

    @Test
    void certManagerCarriesClusterctlsCertManagerLabelsAndVersionAnnotation() {
        List<GenericKubernetesResource> objects = render(ProviderComponents.certManager());

        assertThat(objects).hasSize(49).allSatisfy(o -> {
            assertThat(o.getMetadata().getLabels()).containsEntry("clusterctl.cluster.x-k8s.io", "")
                    .containsEntry("clusterctl.cluster.x-k8s.io/core", "cert-manager")
                    .doesNotContainKey("cluster.x-k8s.io/provider");
            assertThat(o.getMetadata().getAnnotations())
                    .containsEntry("cert-manager.clusterctl.cluster.x-k8s.io/version", "v1.16.3");
        });
        // its leader-election Role lives in kube-system, where cert-manager's own file puts it
        assertThat(objects).anySatisfy(o -> {
            assertThat(o.getKind()).isEqualTo("Role");
            assertThat(o.getMetadata().getNamespace()).isEqualTo("kube-system");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void aProviderAppliesItsNamespaceFirstThenItsIssuerAndCertificateThenTheRestInTheFilesOrder(
            ProviderComponents components) {
        List<GenericKubernetesResource> objects = render(components);
        String prefix = components.deployments().get(0).name().replace("controller-manager", "");

        // what Go's sort.SliceStable makes of client/repository/components.go's comparison for these files
        assertThat(objects.subList(0, 3)).extracting(o -> o.getKind() + " " + o.getMetadata().getName()).containsExactly(
                "Namespace " + components.namespace(), "Issuer " + prefix + "selfsigned-issuer",
                "Certificate " + prefix + "serving-cert");
        List<String> rest = objects.subList(3, objects.size() - 1).stream()
                .map(o -> o.getKind() + " " + o.getMetadata().getName()).toList();
        List<String> inFile = fileObjects(components).stream().map(o -> o.getKind() + " " + o.getMetadata().getName())
                .filter(rest::contains).toList();
        assertThat(rest).containsExactlyElementsOf(inFile);
    }

    @Test
    void certManagerIsAppliedInClusterctlsCreateOrderNamespaceCrdsServiceAccountsThenTheRest() {
        List<String> kinds = render(ProviderComponents.certManager()).stream().map(GenericKubernetesResource::getKind)
                .toList();

        assertThat(kinds.subList(0, 10)).containsExactly("Namespace", "CustomResourceDefinition",
                "CustomResourceDefinition", "CustomResourceDefinition", "CustomResourceDefinition",
                "CustomResourceDefinition", "CustomResourceDefinition", "ServiceAccount", "ServiceAccount",
                "ServiceAccount");
        assertThat(kinds.subList(10, kinds.size())).doesNotContain("Namespace", "CustomResourceDefinition",
                "ServiceAccount");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void variablesWithoutDefaultAppearOnlyInTheCredentialSecrets(ProviderComponents components) throws IOException {
        List<String> documents = Bundle.documents(bundledText(components));
        Set<String> credentialDocuments = new LinkedHashSet<>();
        for (String document : documents) {
            Matcher matcher = REQUIRED_VARIABLE.matcher(document);
            if (matcher.find()) {
                GenericKubernetesResource object = Bundle.parse(document).get(0);
                assertThat(object.getKind()).as("%s needs %s", object.getMetadata().getName(), matcher.group())
                        .isEqualTo("Secret");
                credentialDocuments.add(object.getMetadata().getNamespace() + "/" + object.getMetadata().getName());
            }
        }

        assertThat(credentialDocuments).isSubsetOf(components.credentialSecrets().stream().map(Object::toString).toList());
        // without the credential Secrets nothing is needed: every remaining variable has a default
        assertThat(components.variables(false).values()).allSatisfy(d -> assertThat(d).isPresent());
        assertThat(components.render(Map.of(), Optional.empty(), false)).filteredOn(o -> "Secret".equals(o.getKind()))
                .noneMatch(o -> components.credentialSecrets().contains(
                        new NamespacedName(o.getMetadata().getNamespace(), o.getMetadata().getName())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void theCredentialSecretsAreRenderedFromTheCredentialVariables(ProviderComponents components) {
        List<GenericKubernetesResource> objects = render(components);
        List<String> needed = components.variables(true).entrySet().stream().filter(e -> e.getValue().isEmpty())
                .map(Map.Entry::getKey).toList();

        for (NamespacedName secret : components.credentialSecrets()) {
            GenericKubernetesResource rendered = objects.stream().filter(o -> "Secret".equals(o.getKind())
                    && secret.equals(new NamespacedName(o.getMetadata().getNamespace(), o.getMetadata().getName())))
                    .findFirst().orElseThrow(() -> new AssertionError("no Secret " + secret));
            String contents = String.valueOf(rendered.getAdditionalProperties());
            for (String variable : needed) {
                assertThat(contents).contains(CREDENTIALS.get(variable));
            }
        }
        assertThat(CREDENTIALS.keySet()).containsAll(needed);
    }

    static Stream<Arguments> missingCredentials() {
        return Stream.of(
                Arguments.of("aws", Map.of(), List.of("AWS_B64ENCODED_CREDENTIALS")),
                Arguments.of("gcp", Map.of(), List.of("GCP_B64ENCODED_CREDENTIALS")),
                Arguments.of("vsphere", Map.of(), List.of("VSPHERE_PASSWORD", "VSPHERE_USERNAME")),
                Arguments.of("vsphere", Map.of("VSPHERE_USERNAME", "u"), List.of("VSPHERE_PASSWORD")),
                Arguments.of("maas", Map.of("MAAS_API_KEY", "k"), List.of("MAAS_ENDPOINT")));
    }

    @ParameterizedTest(name = "{0} given {1}")
    @MethodSource("missingCredentials")
    void aMissingVariableIsNamed(String provider, Map<String, String> given, List<String> missing) {
        ProviderComponents components = ProviderComponents.infrastructure(provider);

        assertThatThrownBy(() -> components.render(given, Optional.empty(), true))
                .isInstanceOfSatisfying(MissingVariablesException.class, e -> {
                    assertThat(e.variables()).containsExactlyElementsOf(missing);
                    assertThat(e.component()).isEqualTo("infrastructure-" + provider);
                    assertThat(e.getMessage()).contains(String.join(", ", missing));
                });
    }

    @Test
    void azureNeedsNoVariableAndAnEmptyValueCountsAsSetAsInClusterctl() {
        GenericKubernetesResource secret = ProviderComponents.infrastructure("azure")
                .render(Map.of(), Optional.empty(), true).stream()
                .filter(o -> "capz-manager-bootstrap-credentials".equals(o.getMetadata().getName())).findFirst()
                .orElseThrow();
        assertThat(ObjectMaps.string(secret, "data", "subscription-id")).contains("");

        List<GenericKubernetesResource> vsphere = ProviderComponents.infrastructure("vsphere")
                .render(Map.of("VSPHERE_USERNAME", "", "VSPHERE_PASSWORD", ""), Optional.empty(), true);
        assertThat(vsphere).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("components")
    void anImageRepositoryMovesEveryContainerAndInitContainerImageOfEveryWorkload(ProviderComponents components) {
        List<GenericKubernetesResource> original = render(components);
        List<GenericKubernetesResource> moved = components.render(CREDENTIALS, Optional.of("mirror.example.com/capi/"),
                true);

        List<String> before = images(original);
        List<String> after = images(moved);
        assertThat(before).isNotEmpty().noneMatch(i -> i.startsWith("mirror.example.com/"));
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            assertThat(after.get(i)).isEqualTo("mirror.example.com/capi/" + before.get(i).substring(
                    before.get(i).lastIndexOf('/') + 1));
        }
    }

    @Test
    void anImageRepositoryReachesEveryWorkloadKindAndInitContainerOfAnOverrideFile(@TempDir Path overrides)
            throws IOException {
        Path file = overrides.resolve("infrastructure-maas/v0.6.0/infrastructure-components.yaml");
        Files.createDirectories(file.getParent());
        StringBuilder yaml = new StringBuilder("""
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: capmaas-system
                """);
        String podSpec = """
                containers:
                - name: manager
                  image: registry.example.com/team/manager:v1
                initContainers:
                - name: init
                  image: quay.io/org/init@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
                """;
        for (String kind : List.of("Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job")) {
            yaml.append("---\napiVersion: apps/v1\nkind: ").append(kind).append("\nmetadata:\n  name: ")
                    .append(kind.toLowerCase()).append("\nspec:\n  template:\n    spec:\n")
                    .append(podSpec.indent(6));
        }
        yaml.append("---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cronjob\nspec:\n  jobTemplate:\n")
                .append("    spec:\n      template:\n        spec:\n").append(podSpec.indent(10));
        yaml.append("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pod\nspec:\n").append(podSpec.indent(2));
        Files.writeString(file, yaml.toString());

        List<GenericKubernetesResource> objects = ProviderComponents.Source.directory(overrides).infrastructure("maas")
                .render(Map.of(), Optional.of("mirror.example.com/capi"), true);

        assertThat(objects.stream().filter(o -> WORKLOAD_KINDS.contains(o.getKind()) || "CronJob".equals(o.getKind()))
                .map(GenericKubernetesResource::getKind)).containsExactlyInAnyOrder(
                "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "Pod");
        assertThat(images(objects)).hasSize(14).containsOnly("mirror.example.com/capi/manager:v1",
                "mirror.example.com/capi/init@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    }

    @Test
    void aFileInTheOverrideDirectoryWinsOverTheBundleAndAMissingOneFallsBackToIt(@TempDir Path overrides)
            throws IOException {
        Path azure = overrides.resolve("infrastructure-azure/v1.18.1/infrastructure-components.yaml");
        Files.createDirectories(azure.getParent());
        Files.writeString(azure, """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: capz-system
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: azureserviceoperator-controller-manager
                  namespace: azureserviceoperator-system
                spec:
                  template:
                    spec:
                      containers:
                      - name: manager
                        image: mcr.microsoft.com/k8s/azureserviceoperator:v2.9.0
                        args: ["--crd-pattern=${ADDITIONAL_ASO_CRDS:= }"]
                """);
        ProviderComponents.Source source = ProviderComponents.Source.directory(overrides);

        ProviderComponents overridden = source.infrastructure("azure");
        assertThat(overridden.origin()).isEqualTo(azure.toString());
        assertThat(overridden.deployments()).containsExactly(
                new NamespacedName("capz-system", "azureserviceoperator-controller-manager"));
        List<GenericKubernetesResource> objects = overridden.render(Map.of(), Optional.empty(), true);
        assertThat(objects).extracting(GenericKubernetesResource::getKind).containsExactly("Namespace", "Deployment",
                "Provider");
        assertThat(objects.get(1).getMetadata().getNamespace()).isEqualTo("capz-system");
        assertThat(String.valueOf(objects.get(1).getAdditionalProperties())).contains("--crd-pattern= ");

        ProviderComponents core = source.core();
        assertThat(core.origin()).isEqualTo(ProviderComponents.core().origin()).startsWith("classpath:");
        assertThat(render(core)).hasSameSizeAs(render(ProviderComponents.core()));
        assertThat(ProviderComponents.infrastructure("azure").origin()).startsWith("classpath:");
    }

    @Test
    void referencesToAnotherNamespaceAreMovedToTheProvidersAsClusterctlDoes() {
        // CAPZ's config/aso/crds.yaml names ASO's own namespace; clusterctl's fixTargetNamespace rewrites it
        List<GenericKubernetesResource> crds = render(ProviderComponents.infrastructure("azure")).stream()
                .filter(o -> o.getMetadata().getName().endsWith(".azure.com")).toList();

        assertThat(crds).hasSize(10).allSatisfy(crd -> assertThat(crd.getMetadata().getAnnotations())
                .containsEntry("cert-manager.io/inject-ca-from", "capz-system/azureserviceoperator-serving-cert"));
        assertThat(crds).allSatisfy(crd -> ObjectMaps.at(crd, "spec", "conversion", "webhook", "clientConfig", "service")
                .ifPresent(service -> assertThat(((Map<?, ?>) service).get("namespace")).isEqualTo("capz-system")));
    }

    @Test
    void providersGetEnvsubstsEscapesUndoneButCertManagerIsAppliedAsItsFileHasIt() {
        // the kubeadm CRDs describe "$$(VAR_NAME)"; clusterctl's substitution turns $$ into $
        String bootstrap = String.valueOf(render(ProviderComponents.kubeadmBootstrap()).stream()
                .filter(o -> "kubeadmconfigs.bootstrap.cluster.x-k8s.io".equals(o.getMetadata().getName()))
                .findFirst().orElseThrow().getAdditionalProperties());
        assertThat(bootstrap).contains("\"$(VAR_NAME)\" will produce").doesNotContain("$$(VAR_NAME)");
    }

    @Test
    void theInventoryCrdIsClusterctlsProvidersCrdWithItsInventoryLabel() {
        List<GenericKubernetesResource> objects = ProviderComponents.inventoryCustomResourceDefinition();

        assertThat(objects).singleElement().satisfies(crd -> {
            assertThat(crd.getKind()).isEqualTo("CustomResourceDefinition");
            assertThat(crd.getMetadata().getName()).isEqualTo("providers.clusterctl.cluster.x-k8s.io");
            assertThat(crd.getMetadata().getLabels()).containsEntry("clusterctl.cluster.x-k8s.io/core", "inventory");
            assertThat(ObjectMaps.string(crd, "spec", "names", "kind")).contains("Provider");
            assertThat(String.valueOf(ObjectMaps.at(crd, "spec", "versions").orElseThrow()))
                    .contains("name=v1alpha3");
        });
    }

    @Test
    void eachRenderIsAFreshCopy() {
        ProviderComponents core = ProviderComponents.core();
        List<GenericKubernetesResource> first = render(core);
        first.forEach(o -> o.getMetadata().getLabels().put("changed", "yes"));
        ObjectMaps.mapAt(first.get(5), "spec").put("changed", true);

        assertThat(render(core)).isEqualTo(render(core)).noneMatch(o -> o.getMetadata().getLabels().containsKey("changed"));
    }

    @Test
    void theCredentialSecretsAreTheProvidersBootstrapCredentials() {
        assertThat(ProviderComponents.all().stream().flatMap(c -> c.credentialSecrets().stream()).map(Object::toString))
                .containsExactly("capa-system/capa-manager-bootstrap-credentials",
                        "capg-system/capg-manager-bootstrap-credentials",
                        "capz-system/capz-manager-bootstrap-credentials",
                        "capv-system/capv-manager-bootstrap-credentials",
                        "capmaas-system/capmaas-manager-bootstrap-credentials");
    }

    @SuppressWarnings("unchecked")
    private static List<String> images(List<GenericKubernetesResource> objects) {
        List<String> images = new ArrayList<>();
        for (GenericKubernetesResource object : objects) {
            String[] path = switch (object.getKind()) {
                case "Pod" -> new String[] {"spec"};
                case "CronJob" -> new String[] {"spec", "jobTemplate", "spec", "template", "spec"};
                default -> WORKLOAD_KINDS.contains(object.getKind()) ? new String[] {"spec", "template", "spec"} : null;
            };
            if (path == null) {
                continue;
            }
            Map<String, Object> spec = (Map<String, Object>) ObjectMaps.at(object, path).orElseThrow();
            for (String field : List.of("containers", "initContainers")) {
                for (Object container : (List<Object>) spec.getOrDefault(field, List.of())) {
                    images.add((String) ((Map<String, Object>) container).get("image"));
                }
            }
        }
        return images;
    }

    /** The objects as the file has them, from the loader's one parse of it. */
    private static List<GenericKubernetesResource> fileObjects(ProviderComponents components) {
        return components.bundle().documents().stream().flatMap(d -> d.probe().stream()).toList();
    }

    private static String bundledText(ProviderComponents components) throws IOException {
        String resource = components.origin().substring("classpath:".length());
        try (InputStream in = ProviderComponentsTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
