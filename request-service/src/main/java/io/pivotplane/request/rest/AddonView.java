package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An add-on of the cluster's profile and its state: {@code Pending}, {@code Installed}, {@code Degraded} (failed,
 * allowed to: the cluster runs without it) or {@code Failed}; {@code message} says why.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddonView(String name, String layer, String version, String state, String message) {
}
