package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Follows a cluster stage by stage, one progress line per stage, until it is ready or failed. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Follow a cluster until it is ready (exit 0) or failed (exit 5), one progress line per stage.")
final class Watch implements Callable<Integer> {

    static final List<String> STAGES = List.of("Requested", "SpecsCreated", "ControlPlaneReady", "Pivoted",
            "AddonsInstalled");
    static final List<String> DELETION = List.of("Deleting", "Deleted");
    private static final int BAR_WIDTH = 20;
    private static final Duration POLL = Duration.ofMillis(500);

    enum Target { READY, DELETED }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    ApiOptions api;
    @Mixin
    ClusterArgument target;

    @Override
    public Integer call() {
        PivotplaneClient client = api.client();
        return follow(client, target.id(api, client), spec.commandLine().getOut(), Target.READY);
    }

    static int follow(PivotplaneClient client, String id, PrintWriter out, Target target) {
        JsonNode cluster = client.get(id);
        out.println("cluster " + cluster.path("name").asText() + " (" + id + "), " + cluster.path("provider").asText()
                + " in project " + cluster.path("project").asText());
        out.flush();
        return target == Target.READY ? followToReady(client, id, out) : followToDeleted(client, id, out);
    }

    private static int followToReady(PivotplaneClient client, String id, PrintWriter out) {
        AtomicReference<Instant> start = new AtomicReference<>();
        AtomicReference<JsonNode> last = new AtomicReference<>();
        client.follow(id, stage -> {
            Instant reachedAt = Instant.parse(stage.path("reachedAt").asText());
            start.compareAndSet(null, reachedAt);
            print(out, STAGES, stage, Duration.between(start.get(), reachedAt));
            last.set(stage);
            String name = stage.path("stage").asText();
            return name.equals("AddonsInstalled") || name.equals("Failed") || DELETION.contains(name);
        });
        String stage = last.get() == null ? client.get(id).path("stage").asText() : last.get().path("stage").asText();
        return outcome(out, stage, last.get());
    }

    private static int followToDeleted(PivotplaneClient client, String id, PrintWriter out) {
        int printed = 0;
        Instant start = null;
        while (true) {
            JsonNode cluster = client.get(id);
            List<JsonNode> timeline = new java.util.ArrayList<>();
            cluster.path("timeline").forEach(timeline::add);
            for (JsonNode stage : timeline.subList(Math.min(printed, timeline.size()), timeline.size())) {
                if (DELETION.contains(stage.path("stage").asText()) || stage.path("stage").asText().equals("Failed")) {
                    Instant reachedAt = Instant.parse(stage.path("reachedAt").asText());
                    start = start == null ? reachedAt : start;
                    print(out, DELETION, stage, Duration.between(start, reachedAt));
                }
            }
            printed = timeline.size();
            String stage = cluster.path("stage").asText();
            if (stage.equals("Deleted") || stage.equals("Failed")) {
                return outcome(out, stage, cluster.path("lastError"));
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.UNAVAILABLE;
            }
        }
    }

    private static int outcome(PrintWriter out, String stage, JsonNode detail) {
        if (stage.equals("Failed")) {
            String reason = detail == null ? "" : detail.path("reason").asText("");
            String message = detail == null ? "" : detail.path("message").asText("");
            out.println("FAILED" + (reason.isEmpty() ? "" : ": " + reason) + (message.isEmpty() ? "" : " — " + message));
            out.flush();
            return ExitCodes.CLUSTER_FAILED;
        }
        out.println(stage.equals("Deleted") ? "DELETED" : "READY");
        out.flush();
        return ExitCodes.OK;
    }

    /** One line: a bar of the stages done so far, the stage, and when it came after the first one. */
    static void print(PrintWriter out, List<String> stages, JsonNode stage, Duration sinceStart) {
        String name = stage.path("stage").asText();
        int done = stages.indexOf(name) + 1;
        String bar;
        if (done == 0) {
            bar = "!".repeat(BAR_WIDTH);
        } else {
            int filled = BAR_WIDTH * done / stages.size();
            bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        }
        String step = done == 0 ? "   " : done + "/" + stages.size();
        out.printf("[%s] %s %-18s +%.1fs%s%n", bar, step, name, sinceStart.toMillis() / 1000.0,
                stage.hasNonNull("reason") ? "  " + stage.path("reason").asText() + ": " + stage.path("message").asText() : "");
        out.flush();
    }
}
