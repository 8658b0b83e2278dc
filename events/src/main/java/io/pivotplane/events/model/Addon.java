package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import java.util.List;

/**
 * One add-on of a profile: a Helm {@code chart} or Kubernetes {@code manifests} (YAML documents), never both.
 *
 * <p>{@code layer} orders installation as Palette's profiles do: {@code cni}, then {@code csi}, then every other
 * layer ({@code addon} when none is given), a layer only once the one before it is done. Inside a layer, add-ons of a
 * lower {@code priority} go first (0 when not given), and an add-on waits for those it {@code dependsOn}; the rest go
 * in parallel. An add-on counts as installed once its workloads are rolled out, within {@code readyTimeoutSeconds}.
 * One that still fails after the bounded retries fails the cluster, unless it may {@code continueOnError}: then the
 * cluster is installed with this add-on named degraded.
 */
public record Addon(String name, String layer, String version, List<String> manifests, Chart chart, int priority,
                    List<String> dependsOn, boolean continueOnError, int readyTimeoutSeconds) {

    public static final String LAYER_CNI = "cni";
    public static final String LAYER_CSI = "csi";
    public static final String LAYER_DEFAULT = "addon";
    public static final int DEFAULT_READY_TIMEOUT_SECONDS = 300;

    public Addon {
        required(name, "name");
        layer = layer == null || layer.isBlank() ? LAYER_DEFAULT : layer;
        manifests = listOrEmpty(manifests);
        dependsOn = listOrEmpty(dependsOn);
        readyTimeoutSeconds = readyTimeoutSeconds <= 0 ? DEFAULT_READY_TIMEOUT_SECONDS : readyTimeoutSeconds;
    }

    /** The layer's place in the install order: the CNI layer, then the CSI layer, then every other one. */
    public int layerRank() {
        return layerRank(layer);
    }

    public static int layerRank(String layer) {
        return switch (layer == null ? LAYER_DEFAULT : layer) {
            case LAYER_CNI -> 0;
            case LAYER_CSI -> 1;
            default -> 2;
        };
    }

    /** A manifest add-on with the defaults: priority 0, no dependencies, fails the cluster when it fails. */
    public Addon(String name, String layer, String version, List<String> manifests) {
        this(name, layer, version, manifests, null, 0, List.of(), false, 0);
    }

    /**
     * A Helm chart: from a chart repository served over HTTP(S) ({@code repository} is its URL, with an
     * {@code index.yaml}) or an OCI registry ({@code repository} starts with {@code oci://}), released into
     * {@code namespace} ({@code default} when not given; made when missing, as {@code --create-namespace});
     * {@code values} is a YAML document, the profile's values with the cluster's own laid over them.
     */
    public record Chart(String repository, String name, String version, String namespace, String values) {

        public Chart {
            required(repository, "repository");
            required(name, "name");
            required(version, "version");
            namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
        }

        public boolean fromOciRegistry() {
            return repository.startsWith("oci://");
        }
    }
}
