package io.pivotplane.capi.request;

import java.util.List;
import java.util.Map;

/**
 * A cluster request as it arrives, before validation: every field may be absent or wrong, so that validation
 * can report all problems at once rather than the first. {@link ClusterRequestValidator} decides.
 */
public record ClusterRequestInput(String name, String project, InfrastructureInput infrastructure,
                                  String kubernetesVersion, ControlPlaneInput controlPlane,
                                  List<WorkerPoolInput> workerPools, List<String> sshAuthorizedKeys,
                                  ProfileInput profile, HealthCheckInput healthCheck) {

    public ClusterRequestInput(String name, String project, InfrastructureInput infrastructure,
                               String kubernetesVersion, ControlPlaneInput controlPlane,
                               List<WorkerPoolInput> workerPools, List<String> sshAuthorizedKeys, ProfileInput profile) {
        this(name, project, infrastructure, kubernetesVersion, controlPlane, workerPools, sshAuthorizedKeys, profile,
                null);
    }

    /** The cluster's MachineHealthChecks ({@code io.pivotplane.events.model.HealthCheck}); each field may be left out. */
    public record HealthCheckInput(String unhealthyAfter, String nodeStartupTimeout, Object maxUnhealthy) {
    }

    public record InfrastructureInput(String provider, String credentialsRef, Map<String, String> parameters) {
    }

    public record ControlPlaneInput(Integer replicas, Map<String, Object> machine) {
    }

    public record WorkerPoolInput(String name, Integer replicas, Map<String, Object> machine) {
    }

    /**
     * The cluster's profile: its add-ons given here ({@code addons}), or a stored profile named by {@code name} and
     * {@code version}, with {@code values} laid over the values of its chart add-ons (by add-on name) for this
     * cluster alone.
     */
    public record ProfileInput(String name, String version, List<AddonInput> addons,
                               Map<String, Map<String, Object>> values) {

        public ProfileInput(String name, List<AddonInput> addons) {
            this(name, null, addons, null);
        }

        /** Whether it names a stored profile rather than giving its add-ons. */
        public boolean refersToStoredProfile() {
            return addons == null && name != null;
        }
    }

    public record AddonInput(String name, String layer, String version, List<String> manifests, ChartInput chart,
                             Integer priority, List<String> dependsOn, Boolean continueOnError,
                             Integer readyTimeoutSeconds) {

        /** A manifest add-on with the defaults. */
        public AddonInput(String name, String layer, String version, List<String> manifests) {
            this(name, layer, version, manifests, null, null, null, null, null);
        }
    }

    public record ChartInput(String repository, String name, String version, String namespace,
                             Map<String, Object> values) {
    }
}
