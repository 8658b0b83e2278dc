package io.pivotplane.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config}: the file of pivotctl's contexts, for every command that reads or writes them. */
final class ConfigFileOption {

    @Option(names = "--config", paramLabel = "FILE", description = "pivotctl's config file. Default: $"
            + CliConfig.ENVIRONMENT_VARIABLE + ", else ~/.pivotplane/config.yaml.")
    String path;

    Path location() {
        return CliConfig.location(path);
    }
}
