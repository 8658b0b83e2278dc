package io.pivotplane.devstack;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.capi.request.ClusterRequestValidator;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.events.model.ClusterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What an operator creates next to the management cluster's providers before the first request, for the clusters
 * of {@code examples/}: the Secrets and identities their {@code credentialsRef}s name, with obviously fake values.
 * Real credentials never reach the local stack; the providers' simulated controllers only check that they exist.
 */
final class ExampleCredentials {

    private ExampleCredentials() {
    }

    /** @return one line per example, saying what was created for it */
    static List<String> create(KubernetesClient management, Path projectDir, String project) {
        List<String> created = new ArrayList<>();
        try (Stream<Path> files = Files.list(projectDir.resolve("examples"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".json"))
                    .sorted().toList()) {
                String text = Files.readString(file);
                // the .json example is a REST body, the .yaml ones are ClusterRequest resources
                Map<String, Object> body = file.toString().endsWith(".json")
                        ? new com.fasterxml.jackson.databind.ObjectMapper().readValue(text,
                        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { })
                        : ClusterRequestDocument.body(text);
                body.put("project", project);
                // the profile a request names is the stack's to resolve; the credentials are what matters here
                ClusterSpec spec = new ClusterRequestValidator().validateAllButStoredProfile(
                        ClusterRequestDocument.input(body));
                TestCredentials.create(management, spec);
                if (spec.infrastructure().credentialsRef() != null) {
                    created.add(spec.infrastructure().provider() + " " + spec.infrastructure().credentialsRef()
                            + " (" + file.getFileName() + ")");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return created;
    }
}
