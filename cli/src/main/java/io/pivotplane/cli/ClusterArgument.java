package io.pivotplane.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The cluster a command is about: its name within a project, as kubectl names objects in a namespace, or its id. */
final class ClusterArgument {

    @Parameters(paramLabel = "NAME|ID", description = "The cluster: its name in the project, or its id.")
    String nameOrId;
    @Option(names = {"-p", "--project"}, paramLabel = "PROJECT",
            description = "The project of the cluster named. Default: the context's.")
    String project;

    String id(ApiOptions api, PivotplaneClient client) {
        return client.idOf(nameOrId, project != null ? project : api.defaultProject());
    }
}
