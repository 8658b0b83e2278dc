package io.pivotplane.capi.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pivotplane.capi.Examples;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterRequestDocumentTest {

    @Test
    void metadataGivesTheNameAndProjectAndSpecTheRest() {
        ClusterRequestInput input = ClusterRequestDocument.read(Examples.yaml("vsphere"));

        assertThat(input.name()).isEqualTo("edge-vsphere");
        assertThat(input.project()).isEqualTo("team-a");
        assertThat(input.infrastructure().provider()).isEqualTo("vsphere");
        assertThat(input.workerPools()).extracting(ClusterRequestInput.WorkerPoolInput::name).containsExactly("md-0");
    }

    @Test
    void theExampleProfilesAreValidAndARequestNamingOneGetsItsAddonsWithTheClustersOwnValues() {
        for (String version : List.of("1.0.0", "1.1.0")) {
            ClusterProfileInput stored = Examples.storedProfile("baseline", version);
            assertThat(new ClusterRequestValidator().validateProfile(stored).version()).isEqualTo(version);
        }

        ClusterRequestInput aws = ClusterRequestDocument.read(Examples.yaml("aws"));
        assertThat(aws.profile().refersToStoredProfile()).isTrue();
        ClusterRequestInput resolved = ProfileResolution.resolve(aws, Examples.storedProfile("baseline", "1.0.0"));

        assertThat(resolved.profile().addons()).extracting(ClusterRequestInput.AddonInput::name)
                .containsExactly("flannel", "widgets", "first-widget", "team-namespace");
        assertThat(resolved.profile().addons().get(1).chart().values()).containsEntry("replicas", 2);
        assertThat(Examples.storedProfile("baseline", "1.0.0").addons().get(1).chart().values())
                .as("the stored profile is left as it is").containsEntry("replicas", 1);
    }

    @Test
    void valuesForAnAddonThatIsNotAChartOfTheProfileAreRefused() {
        ClusterRequestInput request = ClusterRequestDocument.read(Examples.yaml("gcp").replace(
                "    version: 1.0.0\n", "    version: 1.0.0\n    values:\n      flannel:\n        mtu: 1400\n"));

        assertThat(catchThrowableOfType(InvalidClusterRequestException.class, () -> ProfileResolution.resolve(
                request, Examples.storedProfile("baseline", "1.0.0"))).violations())
                .singleElement().satisfies(v -> {
                    assertThat(v.field()).isEqualTo("profile.values.flannel");
                    assertThat(v.message()).contains("no chart add-on named 'flannel'");
                });
    }

    @Test
    void anotherKindOrApiVersionIsRefused() {
        String yaml = Examples.yaml("aws").replace("kind: ClusterRequest", "kind: Cluster")
                .replace("pivotplane.io/v1alpha1", "pivotplane.io/v1");

        assertThat(violations(yaml)).extracting(Violation::field).containsExactlyInAnyOrder("apiVersion", "kind");
    }

    @Test
    void anUnknownFieldIsNamedWithItsPath() {
        String yaml = Examples.yaml("aws").replace("    replicas: 3\n    machine:", "    replicas: 3\n    replica: 3\n    machine:");

        assertThat(violations(yaml)).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("spec.controlPlane.replica");
            assertThat(v.message()).contains("not a known field");
        });
    }

    @Test
    void aFractionalReplicaCountIsNamedRatherThanRounded() {
        String yaml = Examples.yaml("aws").replaceFirst("    replicas: 3\n    machine:", "    replicas: 2.5\n    machine:");

        assertThat(violations(yaml)).singleElement().satisfies(v ->
                assertThat(v.field()).isEqualTo("spec.controlPlane.replicas"));
    }

    @Test
    void aKeyGivenTwiceIsRefusedRatherThanTheLastOneWinning() {
        String yaml = Examples.yaml("aws").replaceFirst("(?m)^  kubernetesVersion: (.*)$",
                "  kubernetesVersion: $1\n  kubernetesVersion: v1.29.0");

        assertThat(violations(yaml)).singleElement().satisfies(v ->
                assertThat(v.message()).contains("Duplicate field 'kubernetesVersion'"));
    }

    @Test
    void nameOrProjectUnderSpecPointsToMetadata() {
        String yaml = Examples.yaml("aws").replaceFirst("(?m)^spec:\n", "spec:\n  name: other\n");

        assertThat(violations(yaml)).singleElement().satisfies(v -> assertThat(v.message()).contains("metadata.name"));
    }

    @Test
    void malformedYamlNamesTheLine() {
        assertThat(violations("apiVersion: pivotplane.io/v1alpha1\nkind: [ClusterRequest\n")).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("not valid YAML").contains("line"));
        assertThat(violations("")).singleElement().satisfies(v -> assertThat(v.message()).contains("empty"));
        assertThat(violations("- a\n- b\n")).singleElement().satisfies(v -> assertThat(v.message()).contains("list"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("io.pivotplane.capi.Examples#providers")
    void everyExampleIsAValidClusterRequestResourceForKubectlApply(String provider) throws Exception {
        var resource = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readValue(Examples.yaml(provider), io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);

        assertThat(io.pivotplane.capi.CrdSchemaValidator.problems(resource)).isEmpty();
        assertThat(resource.getApiVersion()).isEqualTo(ClusterRequestCrd.API_VERSION);
    }

    @Test
    void theSchemaOfTheResourceRefusesAnUnknownProviderAndAnUnknownField() throws Exception {
        var resource = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readValue(Examples.yaml("aws").replace("provider: aws", "provider: openstack")
                        .replace("  kubernetesVersion:", "  kubernetesVersoin: x\n  kubernetesVersion:"),
                        io.fabric8.kubernetes.api.model.GenericKubernetesResource.class);

        assertThat(io.pivotplane.capi.CrdSchemaValidator.problems(resource)).hasSize(2);
    }

    private static List<Violation> violations(String yaml) {
        InvalidClusterRequestException e = catchThrowableOfType(InvalidClusterRequestException.class,
                () -> ClusterRequestDocument.read(yaml));
        assertThat(e).as("expected the document to be refused").isNotNull();
        return e.violations();
    }
}
