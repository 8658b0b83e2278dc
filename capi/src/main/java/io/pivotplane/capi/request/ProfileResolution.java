package io.pivotplane.capi.request;

import io.pivotplane.capi.request.ClusterRequestInput.AddonInput;
import io.pivotplane.capi.request.ClusterRequestInput.ChartInput;
import io.pivotplane.capi.request.ClusterRequestInput.ProfileInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster request that names a stored profile, made into one that carries the profile's add-ons: the cluster's own
 * values laid over each chart add-on's, as Helm lays {@code --values} files over a chart's (maps merge key by key,
 * anything else is replaced). The spec then holds exactly what the cluster installs, whatever happens to the store.
 */
public final class ProfileResolution {

    private ProfileResolution() {
    }

    /**
     * @throws InvalidClusterRequestException when values name an add-on the profile has not, or one without a chart
     */
    public static ClusterRequestInput resolve(ClusterRequestInput request, ClusterProfileInput stored) {
        ProfileInput reference = request.profile();
        Map<String, Map<String, Object>> values = reference.values() == null ? Map.of() : reference.values();
        List<Violation> violations = new ArrayList<>();
        values.keySet().forEach(name -> {
            boolean isChart = stored.addons().stream().anyMatch(a -> a != null && name.equals(a.name())
                    && a.chart() != null);
            if (!isChart) {
                violations.add(new Violation("profile.values." + name, "profile " + stored.name() + " "
                        + stored.version() + " has no chart add-on named '" + name + "' whose values could be set"));
            }
        });
        if (!violations.isEmpty()) {
            throw new InvalidClusterRequestException(violations);
        }
        List<AddonInput> addons = stored.addons().stream().map(addon -> {
            Map<String, Object> own = addon == null ? null : values.get(addon.name());
            if (own == null) {
                return addon;
            }
            ChartInput chart = addon.chart();
            return new AddonInput(addon.name(), addon.layer(), addon.version(), addon.manifests(),
                    new ChartInput(chart.repository(), chart.name(), chart.version(), chart.namespace(),
                            merge(chart.values(), own)),
                    addon.priority(), addon.dependsOn(), addon.continueOnError(), addon.readyTimeoutSeconds());
        }).toList();
        return new ClusterRequestInput(request.name(), request.project(), request.infrastructure(),
                request.kubernetesVersion(), request.controlPlane(), request.workerPools(),
                request.sshAuthorizedKeys(), new ProfileInput(stored.name(), stored.version(), addons, null),
                request.healthCheck());
    }

    /** {@code over} laid over {@code base}: maps merge, key by key; any other value of {@code over} wins. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
        Map<String, Object> merged = new LinkedHashMap<>(base == null ? Map.of() : base);
        over.forEach((key, value) -> {
            Object current = merged.get(key);
            merged.put(key, current instanceof Map<?, ?> currentMap && value instanceof Map<?, ?> valueMap
                    ? merge((Map<String, Object>) currentMap, (Map<String, Object>) valueMap) : value);
        });
        return merged;
    }
}
