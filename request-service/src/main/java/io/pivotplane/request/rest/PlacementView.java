package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.pivotplane.events.model.ObjectReference;
import java.util.List;

/**
 * Where the cluster's CAPI objects are: {@code none} (not created yet), {@code management} (the management
 * cluster, before the pivot), {@code workload} (the cluster itself, at {@code apiEndpoint}) or {@code deleted}, from
 * {@code deletedFrom}: {@code management}, or {@code forced} when a forced deletion gave up the workload cluster.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlacementView(String location, String namespace, String apiEndpoint, List<ObjectReference> objects,
                            String deletedFrom) {

    public static final PlacementView NONE = new PlacementView("none", null, null, List.of(), null);
}
