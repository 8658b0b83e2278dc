package io.pivotplane.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code login} and {@code config}: pivotctl's contexts, as kubectl keeps them. */
final class ContextCommands {

    private ContextCommands() {
    }

    @Command(name = "login", mixinStandardHelpOptions = true,
            description = "Check a token against the API and save it as a context (API URL, token, default project), "
                    + "made current.",
            footer = {"", "Example (the local stack; bin/devstack prints this line):",
                "  pivotctl login --context local --api-url http://127.0.0.1:8080 -p demo \\",
                "      --token \"$(curl -s -X POST http://127.0.0.1:8079/token)\""})
    static final class Login implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--api-url", paramLabel = "URL",
                description = "The pivotplane API. Default: $" + ApiOptions.ENVIRONMENT_VARIABLE + ", else "
                        + ApiOptions.LOCAL_STACK + ".")
        String apiUrl;
        @Option(names = "--token", required = true, paramLabel = "TOKEN",
                description = "The bearer token of your identity provider; '-' reads it from stdin.")
        String token;
        @Option(names = "--context", defaultValue = "default", paramLabel = "NAME",
                description = "The context to save (replaced if it exists). Default: ${DEFAULT-VALUE}.")
        String context;
        @Option(names = {"-p", "--project"}, paramLabel = "PROJECT",
                description = "The project commands use when not given one.")
        String project;
        @Mixin
        ConfigFileOption config;

        @Override
        public Integer call() {
            String bearer = token.equals("-") ? firstLineOfStdin() : token.strip();
            if (bearer.isEmpty()) {
                throw new CliException(ExitCodes.USAGE, "the token is empty");
            }
            String url = ApiOptions.apiUrl(apiUrl, null);
            // a token the API refuses, or a project it does not let the token read, is not saved
            new PivotplaneClient(url, bearer, "the token given").list(project, 0, 1);
            Path file = config.location();
            CliConfig.read(file).withCurrent(new CliConfig.Context(context, url, bearer, project)).write(file);
            PrintWriter out = spec.commandLine().getOut();
            out.println("logged in to " + url + " as " + Tokens.subject(bearer).orElse("the token's holder")
                    + (project == null ? "" : ", project " + project) + "; context " + context + " is current ("
                    + file + ")");
            return ExitCodes.OK;
        }

        private static String firstLineOfStdin() {
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                return line == null ? "" : line.strip();
            } catch (IOException e) {
                throw new CliException(ExitCodes.INVALID_INPUT, "cannot read the token from stdin: " + e.getMessage());
            }
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, description = "Show or change pivotctl's contexts.",
            subcommands = {UseContext.class, GetContexts.class, CurrentContext.class, DeleteContext.class})
    static final class Config implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "a subcommand is required: use-context, get-contexts, current-context or delete-context");
        }
    }

    abstract static class ConfigCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Mixin
        ConfigFileOption config;

        Path file() {
            return config.location();
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "use-context", mixinStandardHelpOptions = true, description = "Make a context the current one.")
    static final class UseContext extends ConfigCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            CliConfig.read(file()).using(name).write(file());
            out().println("context " + name + " is current");
            return ExitCodes.OK;
        }
    }

    @Command(name = "get-contexts", mixinStandardHelpOptions = true,
            description = "List the contexts; * marks the current one. Tokens are not shown.")
    static final class GetContexts extends ConfigCommand {
        @Override
        public Integer call() {
            CliConfig read = CliConfig.read(file());
            out().printf("%-9s %-20s %-36s %-20s %s%n", "CURRENT", "NAME", "API", "PROJECT", "USER");
            read.contexts().forEach(context -> out().printf("%-9s %-20s %-36s %-20s %s%n",
                    context.name().equals(read.currentContext()) ? "*" : "", context.name(), context.apiUrl(),
                    context.project() == null ? "" : context.project(),
                    context.token() == null ? "" : Tokens.subject(context.token()).orElse("")));
            return ExitCodes.OK;
        }
    }

    @Command(name = "current-context", mixinStandardHelpOptions = true, description = "Print the current context.")
    static final class CurrentContext extends ConfigCommand {
        @Override
        public Integer call() {
            String current = CliConfig.read(file()).currentContext();
            if (current == null) {
                throw new CliException(ExitCodes.NOT_FOUND, "no current context: " + Tokens.HOW_TO_GET_ONE);
            }
            out().println(current);
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete-context", mixinStandardHelpOptions = true,
            description = "Remove a context and its token from the config file.")
    static final class DeleteContext extends ConfigCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            CliConfig.read(file()).without(name).write(file());
            out().println("context " + name + " deleted");
            return ExitCodes.OK;
        }
    }
}
