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
}
