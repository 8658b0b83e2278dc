package io.pivotplane.capi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.WorkerPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every renderer produces, for the example request of each infrastructure in both phases: valid against the
 * upstream CRDs, every reference resolved within the set, the kinds and references of the upstream template.
 */
class RenderedObjectsTest {

    private static final String CLUSTER_ID = "2b4c1f7e-0c5e-4c1a-9d55-8f6f1c3f0a11";
    /** The paths of a kind's references to other objects of the cluster, as the upstream templates have them. */
    private static final Map<String, List<List<String>>> REFERENCES = Map.of(
            Capi.CLUSTER, List.of(List.of("spec", "infrastructureRef"), List.of("spec", "controlPlaneRef")),
            Capi.KUBEADM_CONTROL_PLANE, List.of(List.of("spec", "machineTemplate", "infrastructureRef")),
            Capi.MACHINE_DEPLOYMENT, List.of(List.of("spec", "template", "spec", "bootstrap", "configRef"),
                    List.of("spec", "template", "spec", "infrastructureRef")),
            AzureRenderer.CLUSTER_KIND, List.of(List.of("spec", "identityRef")));
    /** Kinds of the upstream templates that pivotplane leaves to the profile's add-ons or to the user's Secrets. */
    private static final Set<String> NOT_RENDERED = Set.of("ClusterResourceSet", "ConfigMap", "Secret");
    private static final Map<String, String> TEMPLATES = Map.of(
            "aws", "capa-v2.7.1", "gcp", "capg-v1.8.1", "azure", "capz-v1.18.1", "vsphere", "capv-v1.12.0",
            "maas", "capmaas-v0.6.0");

    static Stream<Arguments> providersAndPhases() {
        return Examples.PROVIDERS.stream().flatMap(p -> Stream.of(RenderPhase.values()).map(phase -> Arguments.of(p, phase)));
    }

    private static List<GenericKubernetesResource> render(String provider, RenderPhase phase) {
        return Renderers.forProvider(provider).render(CLUSTER_ID, Examples.spec(provider), phase);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providersAndPhases")
    void everyObjectValidatesAgainstTheUpstreamCrdOfItsKind(String provider, RenderPhase phase) {
        for (GenericKubernetesResource object : render(provider, phase)) {
            assertThat(CrdSchemaValidator.problems(object))
                    .as("%s %s", object.getKind(), object.getMetadata().getName()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providersAndPhases")
    void everyReferenceResolvesWithinTheRenderedSet(String provider, RenderPhase phase) {
        List<GenericKubernetesResource> objects = render(provider, phase);
        int resolved = 0;
        for (GenericKubernetesResource object : objects) {
            for (List<String> path : REFERENCES.getOrDefault(object.getKind(), List.of())) {
                Map<?, ?> ref = (Map<?, ?>) ObjectMaps.at(object, path.toArray(String[]::new)).orElseThrow(
                        () -> new AssertionError(object.getKind() + " has no " + path));
                assertThat(objects).as("%s %s → %s", object.getKind(), path, ref)
                        .anySatisfy(target -> {
                            assertThat(target.getApiVersion()).isEqualTo(ref.get("apiVersion"));
                            assertThat(target.getKind()).isEqualTo(ref.get("kind"));
                            assertThat(target.getMetadata().getName()).isEqualTo(ref.get("name"));
                            assertThat(target.getMetadata().getNamespace()).isEqualTo(object.getMetadata().getNamespace());
                        });
                resolved++;
            }
        }
        int expected = 3 + (provider.equals("azure") ? 1 : 0)
                + (phase == RenderPhase.FULL ? 2 * Examples.spec(provider).workerPools().size() : 0);
        assertThat(resolved).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void kindsAndReferencesAreThoseOfTheUpstreamTemplate(String provider) {
        List<Map<String, Object>> template = upstreamTemplate(provider).stream()
                .filter(doc -> !NOT_RENDERED.contains(String.valueOf(doc.get("kind")))).toList();
        List<GenericKubernetesResource> rendered = render(provider, RenderPhase.FULL);

        // beyond the template: a MachineHealthCheck for the control plane and one per pool, so the cluster heals
        Set<String> upstreamKinds = template.stream().map(doc -> doc.get("apiVersion") + " " + doc.get("kind"))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        upstreamKinds.add(Capi.CORE_API_VERSION + " " + Capi.MACHINE_HEALTH_CHECK);
        assertThat(kindsOf(rendered)).isEqualTo(upstreamKinds);
        assertThat(rendered.stream().filter(o -> o.getKind().equals(Capi.MACHINE_HEALTH_CHECK)))
                .hasSize(1 + Examples.spec(provider).workerPools().size());
        for (Map<String, Object> doc : template) {
            String kind = String.valueOf(doc.get("kind"));
            GenericKubernetesResource ours = rendered.stream().filter(o -> o.getKind().equals(kind)).findFirst().orElseThrow();
            for (List<String> path : REFERENCES.getOrDefault(kind, List.of())) {
                Map<?, ?> upstreamRef = (Map<?, ?>) valueAt(doc, path).orElseThrow();
                Map<?, ?> ourRef = (Map<?, ?>) ObjectMaps.at(ours, path.toArray(String[]::new)).orElseThrow();
                assertThat(new TreeMap<>(ourRef).keySet()).as("%s %s", kind, path)
                        .isEqualTo(new TreeMap<>(upstreamRef).keySet());
                assertThat(ourRef.get("apiVersion")).isEqualTo(upstreamRef.get("apiVersion"));
                assertThat(ourRef.get("kind")).isEqualTo(upstreamRef.get("kind"));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void theManagementPhaseBuildsOnlyTheFirstControlPlaneNodeAndTheFullPhaseTheDesiredSize(String provider) {
        ClusterSpec spec = Examples.spec(provider);
        List<GenericKubernetesResource> management = render(provider, RenderPhase.MANAGEMENT);
        List<GenericKubernetesResource> full = render(provider, RenderPhase.FULL);

        assertThat(replicas(management, Capi.KUBEADM_CONTROL_PLANE)).containsExactly(1);
        assertThat(replicas(full, Capi.KUBEADM_CONTROL_PLANE)).containsExactly(spec.controlPlane().replicas());
        assertThat(kindsOf(management)).noneMatch(k -> k.endsWith(Capi.MACHINE_DEPLOYMENT) || k.endsWith(Capi.KUBEADM_CONFIG_TEMPLATE));
        assertThat(replicas(full, Capi.MACHINE_DEPLOYMENT))
                .containsExactlyElementsOf(spec.workerPools().stream().map(WorkerPool::replicas).toList());
        assertThat(full).allSatisfy(o -> {
            assertThat(o.getMetadata().getLabels()).containsEntry(Capi.CLUSTER_NAME_LABEL, spec.name())
                    .containsEntry(Capi.CLUSTER_ID_LABEL, CLUSTER_ID);
            assertThat(o.getMetadata().getNamespace()).isEqualTo(spec.project());
        });
        // the management phase is the full phase's first objects, unchanged apart from the control plane's size
        assertThat(names(full)).containsAll(names(management));
        // certificates are renewed ahead of expiry by KCP itself, before and after the pivot
        assertThat(List.of(only(management, Capi.KUBEADM_CONTROL_PLANE), only(full, Capi.KUBEADM_CONTROL_PLANE)))
                .allSatisfy(kcp -> assertThat(ObjectMaps.integer(kcp, 0, "spec", "rolloutBefore",
                        "certificatesExpiryDays")).isEqualTo(CoreObjects.CERTIFICATES_RENEWED_DAYS_BEFORE_EXPIRY));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void sshKeysReachEveryNodeThroughCloudInit(String provider) {
        ClusterSpec spec = Examples.spec(provider);
        List<GenericKubernetesResource> full = render(provider, RenderPhase.FULL);

        assertThat(spec.sshAuthorizedKeys()).isNotEmpty();
        GenericKubernetesResource controlPlane = only(full, Capi.KUBEADM_CONTROL_PLANE);
        assertThat(usersKeys(ObjectMaps.at(controlPlane, "spec", "kubeadmConfigSpec", "users")))
                .isEqualTo(spec.sshAuthorizedKeys());
        for (GenericKubernetesResource template : all(full, Capi.KUBEADM_CONFIG_TEMPLATE)) {
            assertThat(usersKeys(ObjectMaps.at(template, "spec", "template", "spec", "users")))
                    .isEqualTo(spec.sshAuthorizedKeys());
        }
        if (provider.equals("azure")) {
            assertThat(all(full, AzureRenderer.MACHINE_TEMPLATE_KIND)).allSatisfy(t ->
                    assertThat(new String(Base64.getDecoder().decode(ObjectMaps.string(t, "spec", "template", "spec",
                            "sshPublicKey").orElseThrow()))).isEqualTo(spec.sshAuthorizedKeys().get(0)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere"})
    void credentialsAppearOnlyAsReferencesToSecretsOrIdentities(String provider) {
        ClusterSpec spec = Examples.spec(provider);
        List<GenericKubernetesResource> full = render(provider, RenderPhase.FULL);

        assertThat(kindsOf(full)).noneMatch(k -> k.endsWith(" Secret"));
        List<Map.Entry<String, Object>> credentialFields = new ArrayList<>();
        full.forEach(o -> collectFields(o.getAdditionalProperties(), credentialFields));
        assertThat(credentialFields).extracting(Map.Entry::getKey).noneMatch(k -> k.matches("(?i).*(password|token|accesskey).*"));
        List<Object> references = credentialFields.stream()
                .filter(e -> e.getKey().matches("identityRef|credentialsRef|clientSecret"))
                .map(Map.Entry::getValue).toList();
        assertThat(references).isNotEmpty().allSatisfy(ref -> assertThat(ref).isInstanceOf(Map.class));
        assertThat(references).anySatisfy(ref -> assertThat(((Map<?, ?>) ref).get("name"))
                .isEqualTo(spec.infrastructure().credentialsRef()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubeVipPodOfVSphereKeepsItsEnvironmentAsStrings() throws IOException {
        GenericKubernetesResource controlPlane = only(render("vsphere", RenderPhase.MANAGEMENT), Capi.KUBEADM_CONTROL_PLANE);
        List<?> files = (List<?>) ObjectMaps.at(controlPlane, "spec", "kubeadmConfigSpec", "files").orElseThrow();
        String pod = files.stream().map(Map.class::cast).filter(f -> String.valueOf(f.get("path")).endsWith("kube-vip.yaml"))
                .map(f -> (String) f.get("content")).findFirst().orElseThrow();

        Map<?, ?> parsed = new ObjectMapper(new YAMLFactory()).readValue(pod, Map.class);
        List<Object> env = (List<Object>) ((Map<?, ?>) ((List<?>) ((Map<?, ?>) parsed.get("spec")).get("containers")).get(0)).get("env");
        assertThat(env).isNotEmpty().allSatisfy(e -> assertThat(((Map<?, ?>) e).get("value")).isInstanceOf(String.class));
        assertThat(env).contains(Map.of("name", "address", "value", "10.0.0.10"), Map.of("name", "port", "value", "6443"));
    }

    @Test
    void renderingIsAPureFunctionOfTheRequest() {
        for (String provider : Examples.PROVIDERS) {
            assertThat(render(provider, RenderPhase.FULL)).isEqualTo(render(provider, RenderPhase.FULL));
        }
    }

    @Test
    void everyProviderOfARequestHasARenderer() {
        assertThat(Renderers.supportedProviders()).containsExactlyInAnyOrderElementsOf(Provider.ids());
    }

    @Test
    void theSchemaCheckRefusesAnUnknownFieldAWrongTypeAndAMissingRequiredField() {
        GenericKubernetesResource template = all(render("aws", RenderPhase.FULL), AwsRenderer.MACHINE_TEMPLATE_KIND).get(0);
        Map<String, Object> machine = ObjectMaps.mapAt(template, "spec", "template", "spec");
        machine.put("instanceTyp", "t3.large");
        machine.put("rootVolume", Map.of("size", "fifty"));
        machine.remove("instanceType");

        assertThat(CrdSchemaValidator.problems(template)).hasSize(3).anySatisfy(p -> assertThat(p).contains("instanceTyp"))
                .anySatisfy(p -> assertThat(p).contains("rootVolume/size")).anySatisfy(p -> assertThat(p).contains("instanceType"));
    }

    private static Set<String> kindsOf(List<GenericKubernetesResource> objects) {
        return objects.stream().map(o -> o.getApiVersion() + " " + o.getKind()).collect(Collectors.toSet());
    }

    private static List<String> names(List<GenericKubernetesResource> objects) {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
    }

    private static List<Integer> replicas(List<GenericKubernetesResource> objects, String kind) {
        return all(objects, kind).stream().map(o -> ObjectMaps.integer(o, -1, "spec", "replicas")).toList();
    }

    private static List<GenericKubernetesResource> all(List<GenericKubernetesResource> objects, String kind) {
        return objects.stream().filter(o -> o.getKind().equals(kind)).toList();
    }

    private static GenericKubernetesResource only(List<GenericKubernetesResource> objects, String kind) {
        List<GenericKubernetesResource> matching = all(objects, kind);
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    private static List<?> usersKeys(Optional<Object> users) {
        List<?> list = (List<?>) users.orElseThrow(() -> new AssertionError("no users"));
        assertThat(list).hasSize(1);
        return (List<?>) ((Map<?, ?>) list.get(0)).get("sshAuthorizedKeys");
    }

    @SuppressWarnings("unchecked")
    private static void collectFields(Object node, List<Map.Entry<String, Object>> into) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                into.add(Map.entry(String.valueOf(k), v));
                collectFields(v, into);
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectFields(item, into));
        }
    }

    private static Optional<Object> valueAt(Map<String, Object> doc, List<String> path) {
        Object current = doc;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return Optional.empty();
            }
            current = map.get(key);
        }
        return Optional.ofNullable(current);
    }

    /** As clusterctl does before it parses a template: every {@code ${VAR}} (even nested) becomes a value. */
    private static String substituteVariables(String template) {
        String previous;
        String text = template;
        do {
            previous = text;
            text = text.replaceAll("\\$\\{[^{}]*}", "value");
        } while (!text.equals(previous));
        return text;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> upstreamTemplate(String provider) {
        String file = "reference-templates/" + TEMPLATES.get(provider) + "-cluster-template.yaml";
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        try (InputStream in = RenderedObjectsTest.class.getResourceAsStream(file);
             YAMLParser parser = new YAMLFactory().createParser(substituteVariables(new String(in.readAllBytes(),
                     java.nio.charset.StandardCharsets.UTF_8)))) {
            List<Map<String, Object>> documents = new ArrayList<>();
            yaml.readValues(parser, Map.class).forEachRemaining(doc -> {
                if (doc != null) {
                    documents.add((Map<String, Object>) doc);
                }
            });
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
