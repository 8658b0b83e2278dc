package io.pivotplane.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.pivotplane.capi.CrdSchemaValidator;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.capi.Manifests;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.events.model.ClusterSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Like {@code clusterctl generate cluster}: the Cluster API objects of a request, as multi-document YAML. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {
            "Print the Cluster API objects of a ClusterRequest (pivotplane.io/v1alpha1) as multi-document YAML, offline.",
            "The request is validated as the REST API validates it; every object is checked against its upstream CRD."},
        footer = {"", "Example:", "  pivotctl generate cluster -f examples/aws.yaml --phase full | kubectl apply --dry-run=client -f -"})
final class GenerateClusterCommand implements Callable<Integer> {

    enum Phase {
        /** What pivotplane creates in the management cluster: the control plane at 1 replica, no workers. */
        management(RenderPhase.MANAGEMENT),
        /** The cluster at its desired size, as its agent makes it after the pivot. */
        full(RenderPhase.FULL);

        final RenderPhase renderPhase;

        Phase(RenderPhase renderPhase) {
            this.renderPhase = renderPhase;
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "The ClusterRequest in YAML; '-' reads stdin.")
    String file;

    @Option(names = "--phase", defaultValue = "management", paramLabel = "PHASE",
            description = "management (the control plane at 1 replica, no workers: what goes into the management "
                    + "cluster) or full (the cluster at its desired size). Default: ${DEFAULT-VALUE}.")
    Phase phase;

    @Option(names = "--cluster-id", paramLabel = "ID",
            description = "The pivotplane cluster id to label the objects with. Default: derived from the namespace and name, "
                    + "so that the output is the same every time.")
    String clusterId;

    @Override
    public Integer call() {
        String yaml = RequestFiles.read(file, System.in);
        ClusterSpec cluster = RequestFiles.validSpec(file, yaml);
        String id = clusterId != null ? clusterId : UUID.nameUUIDFromBytes(
                (cluster.project() + "/" + cluster.name()).getBytes(StandardCharsets.UTF_8)).toString();
        List<HasMetadata> objects = new ArrayList<>(Renderers.forProvider(cluster.infrastructure().provider())
                .render(id, cluster, phase.renderPhase));
        for (HasMetadata object : objects) {
            List<String> problems = CrdSchemaValidator.problems(object);
            if (!problems.isEmpty()) {
                throw new IllegalStateException(object.getKind() + " " + object.getMetadata().getName()
                        + " does not match its CRD: " + problems);
            }
        }
        objects.add(DesiredSpecConfigMap.render(id, cluster));
        spec.commandLine().getOut().print(Manifests.yamlStream(objects));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
