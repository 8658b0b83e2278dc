package io.pivotplane.request.rest;

import java.time.Instant;

/** The failure that stopped a cluster: at which stage, why, and when. */
public record ErrorView(String stage, String reason, String message, Instant at) {
}
