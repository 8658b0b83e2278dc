package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code pivotctl versions}: what the plane is and what it can drive. */
@Command(name = "versions", mixinStandardHelpOptions = true,
        description = "The plane's release, the agent releases it drives (it sends no change to another) and the "
                + "Kubernetes minors a cluster of each infrastructure may run.")
final class VersionsCommand extends ApiCommand {

    @Override
    public Integer call() {
        JsonNode versions = client().versions();
        if (!table()) {
            print(versions, List.of(versions));
            return ExitCodes.OK;
        }
        out().println("Plane:       " + versions.path("plane").asText());
        out().println("Agents:      " + versions.path("agents").asText());
        out().println("Cluster API: " + versions.path("clusterApi").asText());
        out().println("Kubernetes (" + versions.path("upgrades").asText() + "):");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("  INFRASTRUCTURE", "MINORS"));
        versions.path("kubernetes").fields().forEachRemaining(entry -> {
            List<String> minors = new ArrayList<>();
            entry.getValue().forEach(minor -> minors.add(minor.asText()));
            rows.add(List.of("  " + entry.getKey(), String.join(", ", minors)));
        });
        Printer.columns(out(), rows);
        out().flush();
        return ExitCodes.OK;
    }
}
