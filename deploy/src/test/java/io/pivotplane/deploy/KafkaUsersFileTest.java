package io.pivotplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pivotplane.events.access.KafkaGrant;
import io.pivotplane.events.access.PlaneAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * deploy/'s Strimzi {@code KafkaUser}s are the plane's access table ({@link PlaneAccess}), which the local stack's
 * broker runs with: a service gets in production exactly the grants its tests ran with. The file is written from the
 * table ({@code -Dpivotplane.update-manifests=true}) and reviewed like code.
 */
class KafkaUsersFileTest {

    static final String HEADER = """
            # One Kafka principal per service, signing in with SCRAM-SHA-512, with the ACLs its work needs and no more:
            # written from events/src/main/java/io/pivotplane/events/access/PlaneAccess.java, which the local stack's
            # broker runs with; KafkaUsersFileTest keeps this file in step with it. Strimzi's User Operator makes a Secret
            # per user, named after it, whose sasl.jaas.config each service's Deployment reads. Agents' principals
            # (agent-<cluster id>) are pivot-service's to make and revoke with each cluster, not KafkaUsers.
            """;

    @Test
    void theKafkaUsersAreThePlanesAccessTable() throws IOException {
        String rendered = HEADER + render();
        Path file = OverlaysTest.PROJECT.resolve("deploy/base/kafka/users.yaml");
        if (Boolean.getBoolean("pivotplane.update-manifests")) {
            Files.writeString(file, rendered);
        }
        assertThat(Files.readString(file))
                .as("deploy/base/kafka/users.yaml differs from PlaneAccess: run this test with"
                        + " -Dpivotplane.update-manifests=true and review the difference")
                .isEqualTo(rendered);
    }

    static String render() {
        StringBuilder yaml = new StringBuilder();
        for (Map.Entry<String, List<KafkaGrant>> service : new TreeMap<>(PlaneAccess.services()).entrySet()) {
            yaml.append("---\n")
                    .append("apiVersion: kafka.strimzi.io/v1beta2\n")
                    .append("kind: KafkaUser\n")
                    .append("metadata:\n")
                    .append("  name: ").append(service.getKey()).append('\n')
                    .append("  labels:\n")
                    .append("    strimzi.io/cluster: pivotplane\n")
                    .append("spec:\n")
                    .append("  authentication:\n")
                    .append("    type: scram-sha-512\n")
                    .append("  authorization:\n")
                    .append("    type: simple\n")
                    .append("    acls:\n");
            for (KafkaGrant grant : service.getValue()) {
                yaml.append("      - resource:\n")
                        .append("          type: ").append(strimziType(grant.type())).append('\n');
                if (grant.type() != KafkaGrant.Resource.CLUSTER) {
                    yaml.append("          name: ").append(grant.name()).append('\n')
                            .append("          patternType: ").append(grant.prefixed() ? "prefix" : "literal").append('\n');
                }
                yaml.append("        operations: [")
                        .append(grant.operations().stream().sorted().map(KafkaUsersFileTest::strimziOperation)
                                .collect(Collectors.joining(", ")))
                        .append("]\n");
            }
        }
        return yaml.toString();
    }

    private static String strimziType(KafkaGrant.Resource type) {
        return switch (type) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactionalId";
            case CLUSTER -> "cluster";
        };
    }

    private static String strimziOperation(KafkaGrant.Operation operation) {
        String name = operation.name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
