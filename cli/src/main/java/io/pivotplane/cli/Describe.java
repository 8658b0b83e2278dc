package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Everything about one cluster: its stages, its CAPI objects and where they live, its add-ons, its last error. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Show a cluster in full: stage timeline, CAPI objects and where they live now, add-ons, last error.")
final class Describe extends ApiCommand {
    @Mixin
    ClusterArgument target;

    @Override
    public Integer call() {
        PivotplaneClient client = client();
        JsonNode cluster = client.get(target.id(api, client));
        if (!table()) {
            print(cluster, List.of(cluster));
            return ExitCodes.OK;
        }
        PrintWriter out = out();
        field(out, "Name", cluster.path("name").asText());
        field(out, "ID", cluster.path("id").asText());
        field(out, "Project", cluster.path("project").asText());
        field(out, "Provider", cluster.path("provider").asText());
        field(out, "Kubernetes", cluster.path("kubernetesVersion").asText());
        field(out, "Stage", cluster.path("stage").asText());
        field(out, "Created", cluster.path("createdAt").asText());

        out.println();
        out.println("Timeline:");
        List<List<String>> timeline = new ArrayList<>();
        timeline.add(List.of("  STAGE", "REACHED", "AFTER", "DETAIL"));
        Instant first = null;
        for (JsonNode stage : cluster.path("timeline")) {
            Instant reached = Instant.parse(stage.path("reachedAt").asText());
            first = first == null ? reached : first;
            timeline.add(List.of("  " + stage.path("stage").asText(), reached.toString(),
                    String.format("+%.1fs", Duration.between(first, reached).toMillis() / 1000.0),
                    stage.hasNonNull("reason") ? stage.path("reason").asText() + ": " + stage.path("message").asText() : ""));
        }
        Printer.columns(out, timeline);

        JsonNode placement = cluster.path("placement");
        out.println();
        out.println("Objects: " + where(placement));
        if (placement.path("objects").size() > 0) {
            List<List<String>> objects = new ArrayList<>();
            objects.add(List.of("  KIND", "NAME", "API VERSION"));
            placement.path("objects").forEach(o -> objects.add(List.of("  " + o.path("kind").asText(),
                    o.path("name").asText(), o.path("apiVersion").asText())));
            Printer.columns(out, objects);
        }

        out.println();
        JsonNode profile = cluster.path("spec").path("profile");
        out.println("Add-ons:" + (profile.hasNonNull("version") ? " profile " + profile.path("name").asText() + " "
                + profile.path("version").asText() : "") + (cluster.path("addons").size() == 0
                ? " none in the profile" : ""));
        if (cluster.path("addons").size() > 0) {
            List<List<String>> addons = new ArrayList<>();
            addons.add(List.of("  NAME", "LAYER", "VERSION", "STATE", "MESSAGE"));
            cluster.path("addons").forEach(a -> addons.add(List.of("  " + a.path("name").asText(),
                    a.path("layer").asText(), a.path("version").asText(""), a.path("state").asText(),
                    a.path("message").asText(""))));
            Printer.columns(out, addons);
        }

        out.println();
        JsonNode agent = cluster.path("agent");
        if (!agent.isMissingNode() && !agent.isNull()) {
            out.println("Agent: " + (agent.hasNonNull("version") ? agent.path("version").asText() : "reports no version")
                    + (agent.path("supported").asBoolean() ? "" : " — the plane does not drive it: changes are not sent"
                    + " (pivotctl versions says which it drives)"));
        }
        JsonNode paused = cluster.path("paused");
        if (!paused.isMissingNode() && !paused.isNull()) {
            out.println("Paused: since " + paused.path("since").asText()
                    + (paused.hasNonNull("reason") ? " (" + paused.path("reason").asText() + ")" : "")
                    + "; changes are held until it is resumed");
        }
        JsonNode change = cluster.path("change");
        out.println("Last change: " + (change.isMissingNode() || change.isNull() ? "none"
                : "generation " + change.path("generation").asText() + ", " + change.path("state").asText()
                + " (asked " + change.path("requestedAt").asText()
                + (change.hasNonNull("completedAt") ? ", ended " + change.path("completedAt").asText() : "") + "): "
                + change.path("summary").asText()
                + (change.hasNonNull("message") ? "; " + change.path("message").asText() : "")));

        if (cluster.path("changes").size() > 1) {
            List<List<String>> changes = new ArrayList<>();
            changes.add(List.of("  GENERATION", "STATE", "ASKED", "SUMMARY"));
            cluster.path("changes").forEach(c -> changes.add(List.of("  " + c.path("generation").asText(),
                    c.path("state").asText(), c.path("requestedAt").asText(), c.path("summary").asText())));
            Printer.columns(out, changes);
        }

        out.println();
        JsonNode error = cluster.path("lastError");
        out.println("Last error: " + (error.isMissingNode() || error.isNull() ? "none"
                : error.path("reason").asText() + " at stage " + error.path("stage").asText() + " ("
                + error.path("at").asText() + "): " + error.path("message").asText()));
        out.flush();
        return ExitCodes.OK;
    }

    private static String where(JsonNode placement) {
        return switch (placement.path("location").asText("none")) {
            case "management" -> "in the management cluster, namespace " + placement.path("namespace").asText();
            case "workload" -> "in the workload cluster itself (" + placement.path("apiEndpoint").asText()
                    + "), namespace " + placement.path("namespace").asText();
            case "deleted" -> "forced".equals(placement.path("deletedFrom").asText())
                    ? "deleted by force: the workload cluster was not reached, its machines may be left at the provider"
                    : "deleted";
            default -> "not created yet";
        };
    }

    private static void field(PrintWriter out, String name, String value) {
        out.printf("%-12s%s%n", name + ":", value);
    }
}
