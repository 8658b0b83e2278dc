package io.pivotplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Changes to a running cluster: each is the cluster's next spec generation, which its agent rolls the cluster's own
 * CAPI objects to; {@code --wait} follows it to its end.
 */
final class ChangeCommands {

    private ChangeCommands() {
    }

    /** What every change command takes: the cluster, and whether to wait for the end. */
    abstract static class ChangeCommand extends ApiCommand {
        @Mixin
        ClusterArgument target;
        @Option(names = "--wait", description = "Follow the change until the cluster is rolled to it, or it fails.")
        boolean await;

        /** The merge patch of the change, read from the cluster as it is now; empty: nothing to send. */
        abstract Map<String, Object> patch(JsonNode current);

        @Override
        public Integer call() {
            PivotplaneClient client = client();
            String id = target.id(api, client);
            Map<String, Object> patch = patch(client.get(id));
            if (patch.isEmpty()) {
                out().println("Edit cancelled, no changes made.");
                out().flush();
                return ExitCodes.OK;
            }
            JsonNode changed = client.change(id, patch);
            if (!table()) {
                print(changed, List.of(changed));
            } else {
                out().println("cluster " + changed.path("name").asText() + ", generation "
                        + changed.path("change").path("generation").asText() + ": "
                        + changed.path("change").path("summary").asText());
                out().flush();
            }
            return await ? awaitChange(client, id, changed.path("change").path("generation").asLong()) : ExitCodes.OK;
        }

        /** Polls until the change of {@code generation} ends, printing what the cluster's agent reports meanwhile. */
        private int awaitChange(PivotplaneClient client, String id, long generation) {
            return pollEverySecond(() -> {
                JsonNode change = client.get(id).path("change");
                if (change.path("generation").asLong() != generation) {
                    out().println("superseded by generation " + change.path("generation").asText());
                    return java.util.OptionalInt.of(ExitCodes.OK);
                }
                String state = change.path("state").asText();
                if ("Held".equals(state)) {
                    out().println("held: the cluster is paused; it rolls once resumed (pivotctl resume "
                            + target.nameOrId + ")");
                    return java.util.OptionalInt.of(ExitCodes.OK);
                }
                if ("Applied".equals(state)) {
                    out().println("applied");
                    return java.util.OptionalInt.of(ExitCodes.OK);
                }
                if ("Failed".equals(state)) {
                    out().println("failed: " + change.path("message").asText());
                    return java.util.OptionalInt.of(ExitCodes.CLUSTER_FAILED);
                }
                return java.util.OptionalInt.empty();
            });
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = "Scale a running cluster's control plane or one of its worker pools; a pool that does not "
                    + "exist is added with the machines of the first pool, 0 replicas remove none (use --remove).",
            footer = {"", "Examples:", "  pivotctl scale edge-aws --pool md-0 --replicas 5 --wait",
                "  pivotctl scale edge-aws --control-plane 5", "  pivotctl scale edge-aws --pool batch --remove"})
    static final class Scale extends ChangeCommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--control-plane", paramLabel = "REPLICAS",
                    description = "Control-plane machines (odd: etcd needs a majority).")
            Integer controlPlane;
            @ArgGroup(exclusive = false)
            Pool pool;
        }

        static final class Pool {
            @Option(names = "--pool", required = true, paramLabel = "NAME", description = "The worker pool.")
            String name;
            @Option(names = "--replicas", paramLabel = "REPLICAS", description = "Its machines.")
            Integer replicas;
            @Option(names = "--remove", description = "Remove the pool (its machines are drained and deleted).")
            boolean remove;
        }

        @Override
        Map<String, Object> patch(JsonNode current) {
            if (target.controlPlane != null) {
                return Map.of("controlPlane", Map.of("replicas", target.controlPlane));
            }
            Pool pool = target.pool;
            if (pool.remove == (pool.replicas != null)) {
                throw new CliException(ExitCodes.USAGE, "--pool takes either --replicas or --remove");
            }
            List<Map<String, Object>> pools = new ArrayList<>();
            boolean found = false;
            for (JsonNode existing : current.path("spec").path("workerPools")) {
                String name = existing.path("name").asText();
                if (name.equals(pool.name)) {
                    found = true;
                    if (!pool.remove) {
                        pools.add(Map.of("name", name, "replicas", pool.replicas));
                    }
                } else {
                    pools.add(Map.of("name", name, "replicas", existing.path("replicas").asInt()));
                }
            }
            if (!found && pool.remove) {
                throw new CliException(ExitCodes.INVALID_INPUT, "the cluster has no pool " + pool.name);
            }
            if (!found) {
                JsonNode first = current.path("spec").path("workerPools").path(0).path("machine");
                JsonNode machine = first.isMissingNode() ? current.path("spec").path("controlPlane").path("machine")
                        : first;
                Map<String, Object> added = new LinkedHashMap<>();
                added.put("name", pool.name);
                added.put("replicas", pool.replicas);
                added.put("machine", machine);
                pools.add(added);
            }
            return Map.of("workerPools", pools);
        }
    }

    @Command(name = "upgrade", mixinStandardHelpOptions = true,
            description = "Upgrade a running cluster's Kubernetes, one minor version at a time: the control plane "
                    + "first, then each pool, machine by machine, new machines before old ones go.",
            footer = {"", "Example:", "  pivotctl upgrade edge-gcp --kubernetes-version v1.31.2 \\",
                "      --image projects/team-a-clusters/global/images/cluster-api-ubuntu-2204-v1-31-2 --wait"})
    static final class Upgrade extends ChangeCommand {
        /** The machine field that names an image built for one Kubernetes version, by infrastructure. */
        private static final Map<String, String> IMAGE_FIELDS = Map.of("gcp", "image", "maas", "image",
                "aws", "amiId");

        @Option(names = "--kubernetes-version", required = true, paramLabel = "VERSION",
                description = "The version to go to, e.g. v1.31.2.")
        String version;
        @Option(names = "--image", paramLabel = "IMAGE",
                description = "The machine image built for that version, for the control plane and every pool (GCP "
                        + "and MAAS image, AWS AMI id): needed when the cluster's machines name their image.")
        String image;

        @Override
        Map<String, Object> patch(JsonNode current) {
            if (image == null) {
                return Map.of("kubernetesVersion", version);
            }
            String provider = current.path("provider").asText();
            String field = IMAGE_FIELDS.get(provider);
            if (field == null) {
                throw new CliException(ExitCodes.INVALID_INPUT, provider + " machines name no image: the provider"
                        + " finds one for the version; leave --image out");
            }
            Map<String, Object> machine = Map.of(field, image);
            List<Map<String, Object>> pools = new ArrayList<>();
            current.path("spec").path("workerPools").forEach(pool -> pools.add(Map.of("name",
                    pool.path("name").asText(), "replicas", pool.path("replicas").asInt(), "machine", machine)));
            return Map.of("kubernetesVersion", version, "controlPlane", Map.of("machine", machine),
                    "workerPools", pools);
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true,
            description = "Pause a cluster for maintenance: changes asked for meanwhile (scale, upgrade, profile use) "
                    + "are held and go to the cluster once it is resumed. A change already rolling finishes; node "
                    + "repair and add-on drift repair inside the cluster go on.",
            footer = {"", "Example:", "  pivotctl pause edge-aws --reason \"storage array firmware\""})
    static final class Pause extends ApiCommand {
        @Mixin
        ClusterArgument target;
        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for whoever looks at the cluster.")
        String reason;

        @Override
        public Integer call() {
            PivotplaneClient client = client();
            JsonNode paused = client.pause(target.id(api, client), reason);
            if (!table()) {
                print(paused, List.of(paused));
            } else {
                out().println("cluster " + paused.path("name").asText() + " paused since "
                        + paused.path("paused").path("since").asText());
                out().flush();
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a paused cluster: the newest change held during the pause goes to it now.",
            footer = {"", "Example:", "  pivotctl resume edge-aws"})
    static final class Resume extends ApiCommand {
        @Mixin
        ClusterArgument target;

        @Override
        public Integer call() {
            PivotplaneClient client = client();
            JsonNode resumed = client.resume(target.id(api, client));
            if (!table()) {
                print(resumed, List.of(resumed));
            } else {
                JsonNode change = resumed.path("change");
                out().println("cluster " + resumed.path("name").asText() + " resumed" + ("Requested".equals(
                        change.path("state").asText()) ? "; change " + change.path("generation").asText()
                        + " on its way: " + change.path("summary").asText() : ""));
                out().flush();
            }
            return ExitCodes.OK;
        }
    }
}
