package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** A command that talks to a running pivotplane and prints what it answers as a table, JSON or YAML. */
abstract class ApiCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    ApiOptions api;
    @Mixin
    OutputOptions output;

    PivotplaneClient client() {
        return api.client();
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** {@code document} as JSON or YAML, or {@code rows} as a table of clusters. */
    void print(JsonNode document, List<JsonNode> rows) {
        Printer.print(out(), output.format, document, rows);
    }

    boolean table() {
        return output.format == OutputOptions.Format.table;
    }

    /**
     * Asks {@code look} every second until it has an exit code: the way {@code --wait} follows what the API shows.
     *
     * @return that exit code, or {@code UNAVAILABLE} when interrupted
     */
    static int pollEverySecond(java.util.function.Supplier<java.util.OptionalInt> look) {
        while (true) {
            java.util.OptionalInt done = look.get();
            if (done.isPresent()) {
                return done.getAsInt();
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.UNAVAILABLE;
            }
        }
    }
}
