package io.pivotplane.events.model;

import static io.pivotplane.events.Fields.listOrEmpty;
import static io.pivotplane.events.Fields.required;

import java.util.List;

/**
 * The whole desired cluster as the user asked for it: the body of the REST request and the {@code spec} of a
 * {@code ClusterRequest} resource. Validated by request-service before any event carries it.
 */
public record ClusterSpec(String name, String project, Infrastructure infrastructure, String kubernetesVersion,
                          ControlPlane controlPlane, List<WorkerPool> workerPools, List<String> sshAuthorizedKeys,
                          Profile profile, HealthCheck healthCheck) {

    /** A cluster whose machines are health-checked with the defaults. */
    public ClusterSpec(String name, String project, Infrastructure infrastructure, String kubernetesVersion,
                       ControlPlane controlPlane, List<WorkerPool> workerPools, List<String> sshAuthorizedKeys,
                       Profile profile) {
        this(name, project, infrastructure, kubernetesVersion, controlPlane, workerPools, sshAuthorizedKeys, profile,
                null);
    }

    /** The same cluster with another profile. */
    public ClusterSpec withProfile(Profile newProfile) {
        return new ClusterSpec(name, project, infrastructure, kubernetesVersion, controlPlane, workerPools,
                sshAuthorizedKeys, newProfile, healthCheck);
    }

    public ClusterSpec {
        required(name, "name");
        required(project, "project");
        required(infrastructure, "infrastructure");
        required(kubernetesVersion, "kubernetesVersion");
        required(controlPlane, "controlPlane");
        workerPools = listOrEmpty(workerPools);
        sshAuthorizedKeys = listOrEmpty(sshAuthorizedKeys);
        profile = profile == null ? Profile.EMPTY : profile;
        healthCheck = healthCheck == null ? HealthCheck.DEFAULT : healthCheck;
    }
}
