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
    /** The generation of the spec (its request is 0, each change one more), and the command that brought it. */
    public static final String GENERATION_KEY = "generation";
    public static final String COMMAND_ID_KEY = "command-id";
    /** The agent's own record: the generation whose fields it has set, and the one whose end it has reported. */
    public static final String APPLIED_GENERATION_KEY = "applied-generation";
    public static final String REPORTED_GENERATION_KEY = "reported-generation";
    /** The generation whose Kubernetes version the agent gave the pools, once the control plane ran it. */
    public static final String POOLS_VERSIONED_KEY = "pools-versioned-generation";

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

    /** A number kept in the ConfigMap under {@code key}, or {@code fallback} where there is none. */
    public static long number(ConfigMap configMap, String key, long fallback) {
        String value = configMap == null || configMap.getData() == null ? null : configMap.getData().get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    public static Optional<ClusterSpec> read(ConfigMap configMap) {
        if (configMap == null || configMap.getData() == null || !configMap.getData().containsKey(SPEC_KEY)) {
            return Optional.empty();
        }
        return Optional.of(EventJson.read(configMap.getData().get(SPEC_KEY).getBytes(StandardCharsets.UTF_8),
                ClusterSpec.class));
    }
}
