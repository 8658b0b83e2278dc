package io.pivotplane.request.rest;

import io.pivotplane.events.model.ClusterSpec;
import java.time.Instant;

/** A cluster as the API shows it. */
public record ClusterView(String id, String name, String project, String provider, String kubernetesVersion,
                          String stage, Instant createdAt, Instant updatedAt, ClusterSpec spec) {
}
