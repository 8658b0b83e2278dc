package io.pivotplane.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Print objects offline, without a running pivotplane.",
        subcommands = {GenerateClusterCommand.class})
final class GenerateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "what to generate is required, e.g. 'cluster'");
    }
}
