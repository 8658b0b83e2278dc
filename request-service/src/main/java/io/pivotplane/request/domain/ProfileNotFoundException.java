package io.pivotplane.request.domain;

import java.util.List;

/** No stored profile has this name, or this version. */
public class ProfileNotFoundException extends RuntimeException {

    public ProfileNotFoundException(String name, String version, List<String> versions) {
        super(versions.isEmpty() ? "no profile is named '" + name + "'"
                : "profile '" + name + "' has no version '" + version + "' (it has " + String.join(", ", versions)
                + ")");
    }
}
