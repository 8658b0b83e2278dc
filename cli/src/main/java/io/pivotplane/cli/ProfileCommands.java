package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pivotctl profile}: the stored cluster profiles that cluster requests name. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Stored cluster profiles: versioned add-on sets (Helm charts, manifests) in Palette's layers.",
        subcommands = {ProfileCommands.Create.class, ProfileCommands.ListProfiles.class, ProfileCommands.Get.class,
            ProfileCommands.Use.class, CommandLine.HelpCommand.class})
final class ProfileCommands implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: create, list, get or use");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Store a profile version from a ClusterProfile file (platform admins).",
            footer = {"", "Example:", "  pivotctl profile create -f examples/profiles/baseline-1.0.0.yaml"})
    static final class Create extends ApiCommand {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
                description = "The ClusterProfile in YAML; '-' reads stdin.")
        String file;

        @Override
        public Integer call() {
            Map<String, Object> body = RequestFiles.profileBody(file, RequestFiles.read(file, System.in));
            JsonNode profile = client().createProfile(body);
            printProfiles(this, profile, List.of(profile));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the stored profile versions.")
    static final class ListProfiles extends ApiCommand {
        @Parameters(arity = "0..1", paramLabel = "NAME", description = "Only the versions of this profile.")
        String name;

        @Override
        public Integer call() {
            JsonNode profiles = client().profiles(name);
            List<JsonNode> rows = new ArrayList<>();
            profiles.forEach(rows::add);
            printProfiles(this, profiles, rows);
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one profile version and its add-ons.")
    static final class Get extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Parameters(index = "1", paramLabel = "VERSION")
        String version;

        @Override
        public Integer call() {
            JsonNode profile = client().profile(name, version);
            if (!table()) {
                Printer.print(out(), output.format, profile, List.of());
                return ExitCodes.OK;
            }
            out().println("Profile " + profile.path("name").asText() + " " + profile.path("version").asText()
                    + (profile.hasNonNull("description") ? ": " + profile.path("description").asText() : ""));
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("  ADD-ON", "LAYER", "PRIORITY", "SOURCE", "DEPENDS ON", "ON ERROR"));
            profile.path("addons").forEach(addon -> rows.add(List.of("  " + addon.path("name").asText(),
                    addon.path("layer").asText("addon"), addon.path("priority").asText("0"), source(addon),
                    String.join(",", names(addon.path("dependsOn"))),
                    addon.path("continueOnError").asBoolean(false) ? "continue" : "fail cluster")));
            Printer.columns(out(), rows);
            out().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "use", mixinStandardHelpOptions = true,
            description = "Move a running cluster to another version of its profile (or to another profile): changed"
                    + " add-ons are upgraded, new ones installed, dropped ones uninstalled.",
            footer = {"", "Example:", "  pivotctl profile use edge-aws 1.1.0 -p team-a --wait"})
    static final class Use extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME|ID", description = "The cluster: its name in the project, or its id.")
        String cluster;
        @Option(names = {"-p", "--project"}, paramLabel = "PROJECT",
                description = "The project of the cluster named. Default: the context's.")
        String project;
        @Parameters(index = "1", paramLabel = "VERSION", description = "The stored profile version to move to.")
        String version;
        @Option(names = "--profile", paramLabel = "NAME",
                description = "Another stored profile than the cluster's own.")
        String profile;
        @Option(names = "--wait", description = "Follow the change until every add-on of the new version is done.")
        boolean await;

        @Override
        public Integer call() {
            PivotplaneClient client = client();
            String id = client.idOf(cluster, project != null ? project : api.defaultProject());
            String name = profile != null ? profile
                    : client.get(id).path("spec").path("profile").path("name").asText(null);
            if (name == null) {
                throw new CliException(ExitCodes.USAGE, "the cluster's profile has no name: say which with --profile");
            }
            JsonNode changed = client.changeProfile(id, Map.of("name", name, "version", version));
            if (!table()) {
                print(changed, List.of(changed));
            } else {
                out().println("cluster " + changed.path("name").asText() + " moves to profile " + name + " "
                        + version);
                out().flush();
            }
            return await ? awaitAddons(client, id) : ExitCodes.OK;
        }

        /** Polls until no add-on of the cluster's profile is pending, printing each add-on's state as it changes. */
        private int awaitAddons(PivotplaneClient client, String id) {
            java.util.Map<String, String> seen = new java.util.HashMap<>();
            return pollEverySecond(() -> {
                JsonNode cluster = client.get(id);
                boolean pending = false;
                for (JsonNode addon : cluster.path("addons")) {
                    String state = addon.path("state").asText();
                    pending |= "Pending".equals(state);
                    if (!state.equals(seen.put(addon.path("name").asText(), state))) {
                        out().println("  " + addon.path("name").asText() + ": " + state
                                + (addon.hasNonNull("message") ? " (" + addon.path("message").asText() + ")" : ""));
                        out().flush();
                    }
                }
                if ("Failed".equals(cluster.path("stage").asText())) {
                    out().println("failed: " + cluster.path("lastError").path("message").asText());
                    return java.util.OptionalInt.of(ExitCodes.CLUSTER_FAILED);
                }
                return pending ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(ExitCodes.OK);
            });
        }
    }

    private static String source(JsonNode addon) {
        JsonNode chart = addon.path("chart");
        return chart.isMissingNode() || chart.isNull() ? addon.path("manifests").size() + " manifest(s)"
                : "chart " + chart.path("name").asText() + " " + chart.path("version").asText() + " from "
                + chart.path("repository").asText();
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(name -> names.add(name.asText()));
        return names;
    }

    /** Profiles as a table of name, version, add-ons and description; or the document as JSON or YAML. */
    static void printProfiles(ApiCommand command, JsonNode document, List<JsonNode> rows) {
        if (!command.table()) {
            Printer.print(command.out(), command.output.format, document, rows);
            return;
        }
        List<List<String>> table = new ArrayList<>();
        table.add(List.of("NAME", "VERSION", "ADD-ONS", "DESCRIPTION"));
        rows.forEach(profile -> table.add(List.of(profile.path("name").asText(), profile.path("version").asText(),
                String.join(",", addonNames(profile)), profile.path("description").asText(""))));
        Printer.columns(command.out(), table);
        command.out().flush();
    }

    private static List<String> addonNames(JsonNode profile) {
        List<String> names = new ArrayList<>();
        profile.path("addons").forEach(addon -> names.add(addon.path("name").asText()));
        return names;
    }
}
