package io.pivotplane.capi.request;

import io.pivotplane.capi.request.ClusterRequestInput.AddonInput;
import java.util.List;

/**
 * A stored cluster profile as it arrives (REST body, {@code ClusterProfile} resource, pivotctl file), before
 * validation: a name, a version (SemVer; a version once used by a cluster never changes), what it is for, and its
 * add-ons in layers. {@link ClusterRequestValidator#validateProfile} decides.
 */
public record ClusterProfileInput(String name, String version, String description, List<AddonInput> addons) {
}
