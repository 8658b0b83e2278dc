package io.pivotplane.cli;

import picocli.CommandLine.Option;

final class OutputOptions {

    enum Format { table, json, yaml }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, json or yaml. Default: ${DEFAULT-VALUE}.")
    Format format;
}
