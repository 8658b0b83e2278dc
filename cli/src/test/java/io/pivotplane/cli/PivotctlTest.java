package io.pivotplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.ClusterRequestValidator;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.WorkerPool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** pivotctl in-process: what it prints on stdout and stderr, and the exit codes scripts rely on. */
class PivotctlTest {

    record Run(int exitCode, String out, String err) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void generatesTheManagementPhaseOfEachExampleOffline(String provider) throws IOException {
        Run run = pivotctl("generate", "cluster", "-f", example(provider).toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        List<Map<String, Object>> documents = documents(run.out());
        ClusterSpec spec = spec(provider);
        assertThat(documents).extracting(d -> d.get("kind")).containsExactlyElementsOf(expectedKinds(spec, RenderPhase.MANAGEMENT));
        assertThat(documents).filteredOn(d -> "KubeadmControlPlane".equals(d.get("kind"))).singleElement()
                .satisfies(kcp -> assertThat(((Map<?, ?>) kcp.get("spec")).get("replicas")).isEqualTo(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void generatesTheFullPhaseAtTheDesiredSize(String provider) throws IOException {
        Run run = pivotctl("generate", "cluster", "-f", example(provider).toString(), "--phase", "full");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<Map<String, Object>> documents = documents(run.out());
        ClusterSpec spec = spec(provider);
        assertThat(documents).extracting(d -> d.get("kind")).containsExactlyElementsOf(expectedKinds(spec, RenderPhase.FULL));
        assertThat(documents).filteredOn(d -> "MachineDeployment".equals(d.get("kind")))
                .extracting(d -> (Object) ((Map<?, ?>) d.get("spec")).get("replicas"))
                .containsExactlyElementsOf(spec.workerPools().stream().map(p -> (Object) p.replicas()).toList());
    }

    @Test
    void theSameRequestGivesTheSameOutputAndStdinWorks() throws IOException {
        String yaml = Files.readString(example("azure"));
        Run fromFile = pivotctl("generate", "cluster", "-f", example("azure").toString());
        Run fromStdin = pivotctlWithStdin(yaml, "generate", "cluster", "-f", "-");

        assertThat(fromStdin.exitCode()).isZero();
        assertThat(fromStdin.out()).isEqualTo(fromFile.out());
        assertThat(pivotctl("generate", "cluster", "-f", example("azure").toString()).out()).isEqualTo(fromFile.out());
    }

    @Test
    void anInvalidRequestNamesEveryProblemOnStderrAndExitsOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Files.readString(example("vsphere"))
                .replace("replicas: 3\n    machine:", "replicas: 2\n    machine:")
                .replace("kubernetesVersion: v1.30.5", "kubernetesVersion: 1.30"));

        Run run = pivotctl("generate", "cluster", "-f", file.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("error: " + file + " is not a valid ClusterRequest:")
                .contains("controlPlane.replicas: must be odd").contains("kubernetesVersion:");
    }

    @Test
    void aMissingFileOrANonRequestExitsOneWithAClearMessage(@TempDir Path dir) throws IOException {
        Run missing = pivotctl("generate", "cluster", "-f", dir.resolve("nope.yaml").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(missing.err()).contains("nope.yaml: no such file");

        Path notARequest = dir.resolve("deployment.yaml");
        Files.writeString(notARequest, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec: {}\n");
        Run wrongKind = pivotctl("generate", "cluster", "-f", notARequest.toString());
        assertThat(wrongKind.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(wrongKind.err()).contains("kind: must be ClusterRequest, is Deployment");
    }

    @Test
    void aWrongCommandLineExitsTwo() throws IOException {
        assertThat(pivotctl("generate", "cluster").exitCode()).isEqualTo(ExitCodes.USAGE);
        Run badPhase = pivotctl("generate", "cluster", "-f", example("aws").toString(), "--phase", "half");
        assertThat(badPhase.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badPhase.err()).contains("management").contains("full");
        assertThat(pivotctl("frobnicate").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(pivotctl().exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] command : List.of(new String[] {"--help"}, new String[] {"generate", "--help"},
                new String[] {"generate", "cluster", "--help"})) {
            Run run = pivotctl(command);
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("Usage: pivotctl");
        }
        assertThat(pivotctl("--help").out()).contains("Exit codes:");
    }

    private static List<String> expectedKinds(ClusterSpec spec, RenderPhase phase) {
        List<String> kinds = new ArrayList<>(Renderers.forProvider(spec.infrastructure().provider())
                .render("id", spec, phase).stream().map(o -> o.getKind()).toList());
        kinds.add("ConfigMap");
        return kinds;
    }

    private static ClusterSpec spec(String provider) throws IOException {
        // offline, as generate renders it: the stored profile the example names is not looked up
        return new ClusterRequestValidator().validateAllButStoredProfile(
                ClusterRequestDocument.read(Files.readString(example(provider))));
    }

    static Path example(String provider) {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isRegularFile(dir.resolve("examples/" + provider + ".yaml"))) {
            dir = dir.getParent();
        }
        return dir.resolve("examples/" + provider + ".yaml");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(String yaml) throws IOException {
        List<Map<String, Object>> documents = new ArrayList<>();
        new ObjectMapper(new YAMLFactory()).readerFor(Map.class).readValues(yaml)
                .forEachRemaining(d -> documents.add((Map<String, Object>) d));
        return documents;
    }

    private static Run pivotctl(String... args) {
        return pivotctlWithStdin("", args);
    }

    private static Run pivotctlWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Pivotctl.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        InputStream originalIn = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int exitCode = commandLine.execute(args);
            return new Run(exitCode, out.toString(), err.toString());
        } finally {
            System.setIn(originalIn);
        }
    }
}
