package io.pivotplane.capi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.pivotplane.events.EventJson;
import io.pivotplane.events.model.ClusterSpec;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The cluster's full desired spec, kept for its agent as a ConfigMap beside the {@code Cluster}. It carries the
 * cluster-name label and is owned by the Cluster, so the pivot moves it with the CAPI objects and the agent
 * reads it from its own cluster, without calling the management plane.
 */
public final class DesiredSpecConfigMap {

    public static final String SPEC_KEY = "spec.json";
    public static final String CLUSTER_ID_KEY = "cluster-id";

    private DesiredSpecConfigMap() {
    }

    public static String name(String clusterName) {
        return clusterName + "-pivotplane-spec";
    }

    public static ConfigMap render(String clusterId, ClusterSpec spec) {
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name(spec.name()))
                .withNamespace(spec.project())
                .addToLabels(Capi.CLUSTER_NAME_LABEL, spec.name())
                .addToLabels(Capi.CLUSTER_ID_LABEL, clusterId)
                .addToLabels(Capi.MOVE_LABEL, "")
                .endMetadata()
                .addToData(CLUSTER_ID_KEY, clusterId)
                .addToData(SPEC_KEY, new String(EventJson.write(spec), StandardCharsets.UTF_8))
                .build();
    }

    public static Optional<ClusterSpec> read(ConfigMap configMap) {
        if (configMap == null || configMap.getData() == null || !configMap.getData().containsKey(SPEC_KEY)) {
            return Optional.empty();
        }
        return Optional.of(EventJson.read(configMap.getData().get(SPEC_KEY).getBytes(StandardCharsets.UTF_8),
                ClusterSpec.class));
    }
}
