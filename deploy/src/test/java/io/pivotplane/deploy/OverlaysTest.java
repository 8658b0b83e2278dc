package io.pivotplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.pivotplane.events.Topics;
import java.beans.IntrospectionException;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every overlay of deploy/ renders with kubectl kustomize, and what it renders fits together. */
class OverlaysTest {

    static final Path PROJECT = Path.of(System.getProperty("pivotplane.project-dir", "..")).toAbsolutePath().normalize();
    static final String IMAGE_PREFIX = System.getProperty("pivotplane.image.prefix", "ghcr.io/pivotplane");
    static final String IMAGE_TAG = System.getProperty("pivotplane.image.tag", "0.1.0-SNAPSHOT");
    static final List<String> SERVICES = List.of("request-service", "spec-service", "provisioner-service",
            "pivot-service", "addon-service");
    static final Map<String, Overlay> RENDERED = new HashMap<>();

    static Stream<String> overlays() {
        return Stream.of("dev", "production");
    }

    @BeforeAll
    static void render() throws Exception {
        Kustomize.assumeAvailable();
        for (String overlay : overlays().toList()) {
            RENDERED.put(overlay, Overlay.render(PROJECT, overlay));
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyDocumentParsesWithNoFieldItsKindDoesNotHave(String name) {
        Overlay overlay = RENDERED.get(name);
        assertThat(overlay.objects()).hasSizeGreaterThan(40);
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : overlay.objects()) {
            if (!(object instanceof GenericKubernetesResource)) {
                unknownFields(object, object.getKind() + "/" + object.getMetadata().getName(), unknown);
            }
        }
        assertThat(unknown).as("fields the API server would drop").isEmpty();
        assertThat(overlay.all(GenericKubernetesResource.class)).extracting(HasMetadata::getApiVersion)
                .as("kinds fabric8 does not know must be the operators' ones")
                .allMatch(v -> v.startsWith("kafka.strimzi.io/") || v.startsWith("postgresql.cnpg.io/"));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyImageIsOneTheBuildMakes(String name) {
        Overlay overlay = RENDERED.get(name);
        List<String> images = new ArrayList<>(containers(overlay).stream().map(Container::getImage).toList());
        images.add(configValue(overlay, "pivot-service", "PIVOTPLANE_PIVOT_AGENT_IMAGE"));
        assertThat(images).isNotEmpty().allSatisfy(image -> {
            assertThat(image).startsWith(IMAGE_PREFIX + "/").endsWith(":" + IMAGE_TAG);
            String module = image.substring(IMAGE_PREFIX.length() + 1, image.lastIndexOf(':'));
            Path pom = PROJECT.resolve(module).resolve("pom.xml");
            assertThat(pom).as("the module that builds " + image).exists();
            assertThat(Files.readString(pom)).as(module + " builds an image with Jib").contains("jib");
        });
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyConfigMapSecretAndServiceAccountReferencedExists(String name) {
        Overlay overlay = RENDERED.get(name);
        Set<String> secrets = new HashSet<>();
        overlay.all(Secret.class).forEach(s -> secrets.add(s.getMetadata().getName()));
        // CloudNativePG makes these for each Cluster: the application role's and the superuser's credentials.
        overlay.all("Cluster").forEach(c -> secrets.addAll(List.of(c.getMetadata().getName() + "-app",
                c.getMetadata().getName() + "-superuser")));
        // made by the operator before the first apply, as the README's steps say: random, so in no manifest
        secrets.add("pivotplane-agent-keys");
        // Strimzi's User Operator makes one for each KafkaUser, named after it, with its SCRAM credentials
        overlay.all("KafkaUser").forEach(u -> secrets.add(u.getMetadata().getName()));
        for (Deployment deployment : overlay.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(overlay.find("ServiceAccount", pod.getServiceAccountName())).isPresent();
            for (Container container : pod.getContainers()) {
                for (EnvFromSource source : nullToEmpty(container.getEnvFrom())) {
                    if (source.getConfigMapRef() != null) {
                        assertThat(overlay.find("ConfigMap", source.getConfigMapRef().getName())).isPresent();
                    }
                    if (source.getSecretRef() != null) {
                        assertThat(secrets).contains(source.getSecretRef().getName());
                    }
                }
                for (EnvVar variable : nullToEmpty(container.getEnv())) {
                    if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
                        assertThat(secrets).contains(variable.getValueFrom().getSecretKeyRef().getName());
                    }
                    if (variable.getValueFrom() != null && variable.getValueFrom().getConfigMapKeyRef() != null) {
                        var ref = variable.getValueFrom().getConfigMapKeyRef();
                        assertThat(((ConfigMap) overlay.find("ConfigMap", ref.getName()).orElseThrow()).getData())
                                .containsKey(ref.getKey());
                    }
                }
            }
        }
        for (ClusterRoleBinding binding : overlay.all(ClusterRoleBinding.class)) {
            assertThat(overlay.find("ClusterRole", binding.getRoleRef().getName())).isPresent();
            binding.getSubjects().forEach(subject -> assertServiceAccountExists(overlay, subject));
        }
        for (RoleBinding binding : overlay.all(RoleBinding.class)) {
            assertThat(overlay.find(binding.getRoleRef().getKind(), binding.getRoleRef().getName())).isPresent();
            binding.getSubjects().forEach(subject -> assertServiceAccountExists(overlay, subject));
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyServiceRunsNonRootOnAReadOnlyFilesystemWithProbesAndLimits(String name) {
        Overlay overlay = RENDERED.get(name);
        assertThat(overlay.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(SERVICES);
        for (Deployment deployment : overlay.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            for (Container container : pod.getContainers()) {
                String what = deployment.getMetadata().getName() + "/" + container.getName();
                assertThat(path(container.getLivenessProbe())).as(what).isEqualTo("/q/health/live");
                assertThat(path(container.getReadinessProbe())).as(what).isEqualTo("/q/health/ready");
                assertThat(container.getResources().getRequests()).as(what).containsKeys("cpu", "memory");
                assertThat(container.getResources().getLimits()).as(what).containsKey("memory");
                assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(what).isTrue();
                assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(what).isFalse();
                assertThat(container.getSecurityContext().getCapabilities().getDrop()).as(what).containsExactly("ALL");
                assertThat(container.getPorts()).as(what).anyMatch(p -> "http".equals(p.getName()));
            }
        }
        for (Service service : overlay.all(Service.class)) {
            Map<String, String> selector = service.getSpec().getSelector();
            assertThat(overlay.all(Deployment.class)).as("the pods of Service " + service.getMetadata().getName())
                    .anyMatch(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet()
                            .containsAll(selector.entrySet()));
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void aServiceWithMoreThanOneReplicaHasADisruptionBudget(String name) {
        Overlay overlay = RENDERED.get(name);
        for (Deployment deployment : overlay.all(Deployment.class)) {
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            List<PodDisruptionBudget> budgets = overlay.all(PodDisruptionBudget.class).stream()
                    .filter(b -> labels.entrySet().containsAll(b.getSpec().getSelector().getMatchLabels().entrySet()))
                    .toList();
            if (deployment.getSpec().getReplicas() > 1) {
                assertThat(budgets).as(deployment.getMetadata().getName()).hasSize(1);
                assertThat(budgets.get(0).getSpec().getMinAvailable().getIntVal())
                        .isLessThan(deployment.getSpec().getReplicas());
                assertThat(deployment.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity())
                        .as(deployment.getMetadata().getName() + " spreads its replicas over nodes").isNotNull();
            } else {
                assertThat(budgets).as("a budget on one replica would block every drain").isEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyTopicIsAKafkaTopicReplicatedAsTheOverlaySays(String name) {
        Overlay overlay = RENDERED.get(name);
        int replicas = name.equals("production") ? 3 : 1;
        GenericKubernetesResource kafka = overlay.all("Kafka").get(0);
        int brokers = overlay.all("KafkaNodePool").stream().mapToInt(p -> (Integer) spec(p).get("replicas")).sum();
        assertThat(brokers).isGreaterThanOrEqualTo(replicas);
        Map<String, Object> topics = new HashMap<>();
        overlay.all("KafkaTopic").forEach(t -> {
            assertThat(t.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", kafka.getMetadata().getName());
            topics.put((String) spec(t).get("topicName"), spec(t).get("replicas"));
        });
        Map<String, Object> expected = new HashMap<>();
        Topics.ALL.forEach(topic -> {
            expected.put(topic, replicas);
            expected.put(Topics.deadLetter(topic), replicas);
        });
        expected.put(Topics.OUTBOX_PROGRESS, replicas);
        assertThat(topics).isEqualTo(expected);
        @SuppressWarnings("unchecked")
        Map<String, Object> config = (Map<String, Object>) ((Map<String, Object>) spec(kafka).get("kafka")).get("config");
        assertThat(config).containsEntry("default.replication.factor", replicas)
                .containsEntry("offsets.topic.replication.factor", replicas);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theServicesConnectToTheKafkaAndDatabasesTheOverlayMakes(String name) {
        Overlay overlay = RENDERED.get(name);
        String bootstrap = overlay.all("Kafka").get(0).getMetadata().getName() + "-kafka-bootstrap:9092";
        GenericKubernetesResource postgres = overlay.all("Cluster").get(0);
        Set<String> databases = new HashSet<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> initdb = (Map<String, Object>) ((Map<String, Object>) spec(postgres).get("bootstrap")).get("initdb");
        databases.add((String) initdb.get("database"));
        overlay.all("Database").forEach(d -> {
            assertThat(spec(d).get("cluster")).isEqualTo(Map.of("name", postgres.getMetadata().getName()));
            databases.add((String) spec(d).get("name"));
        });
        Set<String> used = new HashSet<>();
        for (String service : SERVICES) {
            assertThat(configValue(overlay, service, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(bootstrap);
            assertThat(configValue(overlay, service, "KAFKA_SECURITY_PROTOCOL")).startsWith("SASL_");
            assertThat(overlay.find("KafkaUser", service)).as(service + "'s Kafka principal").get()
                    .satisfies(user -> assertThat(user.getMetadata().getLabels())
                            .containsEntry("strimzi.io/cluster", overlay.all("Kafka").get(0).getMetadata().getName()));
            Container container = overlay.all(Deployment.class).stream()
                    .filter(d -> d.getMetadata().getName().equals(service)).findFirst().orElseThrow()
                    .getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(container.getEnv()).as(service + " signs in as its own principal")
                    .anySatisfy(variable -> {
                        assertThat(variable.getName()).isEqualTo("KAFKA_SASL_JAAS_CONFIG");
                        assertThat(variable.getValueFrom().getSecretKeyRef().getName()).isEqualTo(service);
                        assertThat(variable.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("sasl.jaas.config");
                    });
            URI jdbc = URI.create(configValue(overlay, service, "QUARKUS_DATASOURCE_JDBC_URL").substring("jdbc:".length()));
            assertThat(jdbc.getHost()).isEqualTo(postgres.getMetadata().getName() + "-rw");
            String database = jdbc.getPath().substring(1);
            assertThat(databases).as(service + "'s database").contains(database);
            assertThat(used.add(database)).as("each service has a database of its own").isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void pivotplanesCrdsAreTheOnesRequestServiceValidatesAgainst(String name) throws Exception {
        Overlay overlay = RENDERED.get(name);
        for (HasMetadata inCode : io.pivotplane.capi.request.ClusterRequestCrd.all()) {
            HasMetadata rendered = overlay.find("CustomResourceDefinition", inCode.getMetadata().getName())
                    .orElseThrow();
            rendered.getMetadata().getLabels().remove("app.kubernetes.io/part-of");
            assertThat(rendered).usingRecursiveComparison().isEqualTo(inCode);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void onlyTheServicesThatCallKubernetesGetAToken(String name) {
        Overlay overlay = RENDERED.get(name);
        Set<String> withRoles = new HashSet<>();
        overlay.all(ClusterRoleBinding.class).forEach(b -> b.getSubjects().forEach(s -> withRoles.add(s.getName())));
        for (Deployment deployment : overlay.all(Deployment.class)) {
            PodSpec pod = deployment.getSpec().getTemplate().getSpec();
            assertThat(pod.getAutomountServiceAccountToken()).as(deployment.getMetadata().getName())
                    .isEqualTo(withRoles.contains(pod.getServiceAccountName()));
        }
        assertThat(overlay.all(ClusterRole.class)).allSatisfy(role -> assertThat(role.getRules())
                .noneMatch(rule -> rule.getApiGroups().contains("*") || rule.getVerbs().contains("*")));
    }

    static void assertServiceAccountExists(Overlay overlay, Subject subject) {
        assertThat(overlay.all(ServiceAccount.class)).as("ServiceAccount " + subject.getName())
                .anyMatch(sa -> sa.getMetadata().getName().equals(subject.getName())
                        && sa.getMetadata().getNamespace().equals(subject.getNamespace()));
    }

    static List<Container> containers(Overlay overlay) {
        return overlay.all(Deployment.class).stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream()).toList();
    }

    static String configValue(Overlay overlay, String configMap, String key) {
        ConfigMap map = (ConfigMap) overlay.find("ConfigMap", configMap).orElseThrow();
        return Objects.requireNonNull(map.getData().get(key), configMap + " has no " + key);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }

    static String path(Probe probe) {
        return probe == null || probe.getHttpGet() == null ? null : probe.getHttpGet().getPath();
    }

    static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** fabric8 keeps fields its model does not have in additionalProperties: a misspelt field ends up there. */
    static void unknownFields(Object object, String where, List<String> unknown) {
        if (object instanceof Collection<?> items) {
            int index = 0;
            for (Object item : items) {
                unknownFields(item, where + "[" + index++ + "]", unknown);
            }
            return;
        }
        if (object instanceof Map<?, ?> map) {
            map.forEach((key, value) -> unknownFields(value, where + "." + key, unknown));
            return;
        }
        if (!(object instanceof KubernetesResource) || object instanceof GenericKubernetesResource) {
            return;
        }
        try {
            for (PropertyDescriptor property : Introspector.getBeanInfo(object.getClass()).getPropertyDescriptors()) {
                if (property.getReadMethod() == null || property.getName().equals("class")) {
                    continue;
                }
                Object value = property.getReadMethod().invoke(object);
                // (a JSON schema's own additionalProperties field is not a Map, and is looked into like any other)
                if (property.getName().equals("additionalProperties") && value instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(key -> unknown.add(where + "." + key));
                } else if (value != null) {
                    unknownFields(value, where + "." + property.getName(), unknown);
                }
            }
        } catch (IntrospectionException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }
}
