package io.pivotplane.request.domain;

import java.util.Locale;
import java.util.Optional;

/** What a caller may do in a project; each role includes the ones before it. */
public enum ProjectRole {
    /** Reads the project's clusters, their timelines and events. */
    VIEWER,
    /** Also requests clusters and deletes them. */
    EDITOR,
    /** Also what only an owner of the project should do: a forced deletion. */
    ADMIN;

    public boolean includes(ProjectRole needed) {
        return compareTo(needed) >= 0;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ProjectRole> parse(String label) {
        for (ProjectRole role : values()) {
            if (role.label().equals(label)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
