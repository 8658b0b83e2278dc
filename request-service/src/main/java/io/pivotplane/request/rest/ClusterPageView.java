package io.pivotplane.request.rest;

import java.util.List;

/** One page of clusters, newest first; {@code page} counts from 0. */
public record ClusterPageView(List<ClusterView> items, int page, int size, long totalItems, long totalPages) {
}
