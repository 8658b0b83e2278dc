package io.pivotplane.devstack.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pivotplane.capi.request.ClusterProfileInput;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.ClusterRequestInput;
import io.pivotplane.events.model.Addon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tests' clusters and the examples' share one network plugin, and every test cluster is a valid request's. */
class TestClustersTest {

    static final Path EXAMPLES = Path.of(System.getProperty("pivotplane.project-dir", "..")).resolve("examples");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void theExamplesNetworkPluginIsTheTestClustersOne(String provider) throws IOException {
        ClusterRequestInput example = ClusterRequestDocument.read(Files.readString(EXAMPLES.resolve(provider + ".yaml")));
        ClusterProfileInput profile = ClusterRequestDocument.profileInput(ClusterRequestDocument.profileBody(
                Files.readString(EXAMPLES.resolve("profiles").resolve(example.profile().name() + "-"
                        + example.profile().version() + ".yaml"))));
        ClusterRequestInput.AddonInput cni = profile.addons().stream()
                .filter(a -> Addon.LAYER_CNI.equals(a.layer())).findFirst().orElseThrow();

        assertThat(documents(cni.manifests().get(0))).isEqualTo(documents(TestClusters.flannel().manifests().get(0)));
        assertThat(TestClusters.of(provider, "team-test", "c-" + provider, 3, 1, List.of()).profile().addons())
                .extracting(Addon::name).containsExactly("flannel");
    }

    private static List<Object> documents(String yaml) throws IOException {
        return YAML.readValues(YAML.getFactory().createParser(yaml), Object.class).readAll();
    }
}
