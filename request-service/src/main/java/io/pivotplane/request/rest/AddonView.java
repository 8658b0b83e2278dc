package io.pivotplane.request.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An add-on of the cluster's profile and its state: {@code Pending}, {@code Installed} or {@code Failed}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddonView(String name, String layer, String version, String state, String message) {
}
