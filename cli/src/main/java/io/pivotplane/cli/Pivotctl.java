package io.pivotplane.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pivotctl}: the command line of pivotplane. */
@Command(name = "pivotctl", mixinStandardHelpOptions = true, versionProvider = Pivotctl.Version.class,
        description = "The command line of pivotplane: Kubernetes clusters through Cluster API, pivoted to manage themselves.",
        subcommands = {ClusterCommands.Create.class, ClusterCommands.Get.class, ClusterCommands.ListClusters.class,
            Describe.class, Watch.class, ClusterCommands.Delete.class, ChangeCommands.Scale.class,
            ChangeCommands.Upgrade.class, EditCommand.class, ChangeCommands.Pause.class, ChangeCommands.Resume.class,
            VersionsCommand.class,
            ProfileCommands.class, GenerateCommand.class,
            ContextCommands.Login.class, ContextCommands.Config.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  done",
            "  1  the input is not a valid request (file unreadable, not a ClusterRequest, refused by validation or the API)",
            "  2  the command line is wrong (unknown option, missing argument)",
            "  3  no cluster has the id given, or the project none of the name given",
            "  4  the pivotplane API cannot be reached or failed on its side",
            "  5  the cluster that watch followed failed, or the change that --wait followed",
            "  6  no token, or the API refused it (expired, or not of its identity provider): pivotctl login",
            "  7  your token's roles do not allow this in the project (or do not show you the cluster)",
            " 70  pivotplane failed on its own (a bug: please report it with the input)"})
public final class Pivotctl implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with pivotplane's error handling, for {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Pivotctl());
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            if (exception instanceof CliException failure) {
                cmd.getErr().println("error: " + failure.getMessage());
                return failure.exitCode();
            }
            cmd.getErr().println("error: pivotctl failed: " + exception);
            return ExitCodes.SOFTWARE;
        });
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required, e.g. 'create -f examples/aws.yaml'");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Pivotctl.class.getPackage().getImplementationVersion();
            return new String[] {"pivotctl " + (version == null ? "development build" : version)};
        }
    }
}
