package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/** The commands that talk to a running pivotplane. */
final class ClusterCommands {

    private ClusterCommands() {
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Request a cluster from a ClusterRequest file; prints the new cluster.",
            footer = {"", "Example:", "  pivotctl create -f examples/aws.yaml && pivotctl watch edge-aws -p team-a"})
    static final class Create extends ApiCommand {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
                description = "The ClusterRequest in YAML; '-' reads stdin.")
        String file;
        @Option(names = "--idempotency-key", paramLabel = "KEY",
                description = "Sent as Idempotency-Key: a retry with the same key returns the first answer.")
        String idempotencyKey;
        @Option(names = {"-p", "--project"}, paramLabel = "PROJECT",
                description = "The project, when the file names none (metadata.namespace). Default: the context's.")
        String project;

        @Override
        public Integer call() {
            Map<String, Object> body = RequestFiles.body(file, RequestFiles.read(file, System.in));
            Object named = body.get("project");
            if (named == null) {
                body.put("project", project != null ? project : api.defaultProject());
            } else if (project != null && !project.equals(named)) {
                // as kubectl refuses a namespace of the file other than --namespace
                throw new CliException(ExitCodes.USAGE, "the file names project " + named + ", -p says " + project);
            }
            RequestFiles.validSpec(file, body);
            JsonNode cluster = client().create(body, idempotencyKey);
            print(cluster, List.of(cluster));
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one cluster and its stage.",
            footer = {"", "Example:", "  pivotctl get edge-42 -p team-a"})
    static final class Get extends ApiCommand {
        @Mixin
        ClusterArgument cluster;

        @Override
        public Integer call() {
            PivotplaneClient client = client();
            JsonNode cluster = client.get(this.cluster.id(api, client));
            print(cluster, List.of(cluster));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the clusters of the context's project (of every project you may read with -A), newest first.")
    static final class ListClusters extends ApiCommand {
        @Option(names = {"-p", "--project"}, paramLabel = "PROJECT",
                description = "Only the clusters of this project. Default: the context's.")
        String project;
        @Option(names = {"-A", "--all-projects"}, description = "The clusters of every project you may read.")
        boolean allProjects;
        @Option(names = "--page", defaultValue = "0", paramLabel = "N", description = "Page number, from 0.")
        int page;
        @Option(names = "--size", defaultValue = "20", paramLabel = "N", description = "Clusters per page, 1 to 100.")
        int size;

        @Override
        public Integer call() {
            JsonNode result = client().list(project != null || allProjects ? project : api.defaultProject(), page, size);
            List<JsonNode> items = new ArrayList<>();
            result.path("items").forEach(items::add);
            print(result, items);
            if (table() && result.path("totalPages").asLong() > page + 1) {
                spec.commandLine().getErr().println("(page " + page + " of " + result.path("totalPages").asLong()
                        + ", " + result.path("totalItems").asLong() + " clusters; --page " + (page + 1) + " for more)");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deprovision a cluster: its CAPI objects are removed wherever they live; it ends in stage Deleted.")
    static final class Delete extends ApiCommand {
        @Mixin
        ClusterArgument target;
        @Option(names = "--wait", description = "Follow the deletion until the cluster is Deleted.")
        boolean await;
        @Option(names = "--force", description = "A project admin's last resort, for a pivoted cluster that cannot be"
                + " moved back (its API server or agent gone): torn down from the management cluster with what it"
                + " holds; the workload cluster's machines may be left at the provider.")
        boolean force;

        @Override
        public Integer call() {
            PivotplaneClient client = client();
            String id = target.id(api, client);
            JsonNode cluster = client.delete(id, force);
            if (!table()) {
                print(cluster, List.of(cluster));
            } else {
                out().println((force ? "forced deletion" : "deletion") + " of cluster " + cluster.path("name").asText()
                        + " (" + id + ") requested");
                out().flush();
            }
            return await ? Watch.follow(client, id, out(), Watch.Target.DELETED) : ExitCodes.OK;
        }
    }
}
