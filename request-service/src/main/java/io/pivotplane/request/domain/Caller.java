package io.pivotplane.request.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who asks, and what they may do: a role per project, or everything as a platform admin. Built from the groups of
 * the caller's token: {@value #PLATFORM_ADMIN_GROUP}, and {@code pivotplane:<project>:<role>} for each project
 * (role {@code viewer}, {@code editor} or {@code admin}); other groups are not ours and mean nothing here.
 */
public record Caller(String name, Map<String, ProjectRole> roles, boolean platformAdmin) {

    public static final String PLATFORM_ADMIN_GROUP = "pivotplane:platform-admin";
    private static final String PROJECT_GROUP_PREFIX = "pivotplane:";

    public Caller {
        roles = Map.copyOf(roles);
    }

    public static Caller fromGroups(String name, Collection<String> groups) {
        Map<String, ProjectRole> roles = new HashMap<>();
        boolean platformAdmin = false;
        for (String group : groups) {
            if (group.equals(PLATFORM_ADMIN_GROUP)) {
                platformAdmin = true;
            } else if (group.startsWith(PROJECT_GROUP_PREFIX)) {
                String[] parts = group.substring(PROJECT_GROUP_PREFIX.length()).split(":");
                if (parts.length == 2 && !parts[0].isEmpty()) {
                    ProjectRole.parse(parts[1]).ifPresent(role -> roles.merge(parts[0], role,
                            (held, other) -> held.includes(other) ? held : other));
                }
            }
        }
        return new Caller(name, roles, platformAdmin);
    }

    /** The ClusterRequest controller: Kubernetes RBAC decided who may create the resource it acts on. */
    public static Caller clusterRequestController() {
        return new Caller("ClusterRequest controller", Map.of(), true);
    }

    /** The ClusterProfile controller: Kubernetes RBAC decided who may create the (cluster-scoped) resource. */
    public static Caller clusterProfileController() {
        return new Caller("ClusterProfile controller", Map.of(), true);
    }

    public boolean may(ProjectRole needed, String project) {
        return platformAdmin || (project != null && roles.containsKey(project) && roles.get(project).includes(needed));
    }

    /** The projects whose clusters this caller may see; empty when that is every project. */
    public Optional<Set<String>> visibleProjects() {
        return platformAdmin ? Optional.empty() : Optional.of(roles.keySet());
    }

    /** @throws AccessDeniedException unless the caller has {@code needed} in {@code project} */
    public void require(ProjectRole needed, String project, String action) {
        if (!may(needed, project)) {
            throw refusal(needed, project, action);
        }
    }

    /** Why the caller may not {@code action} in {@code project}. */
    public AccessDeniedException refusal(ProjectRole needed, String project, String action) {
        return new AccessDeniedException(name + " may not " + action + " in project '" + project + "' (needs role "
                + needed.label() + ")");
    }

    /**
     * Lets the caller see the cluster {@code clusterId} of {@code project}. A cluster it may not see is refused exactly
     * as one that does not exist, so that no answer tells it another project's cluster exists; only a platform admin
     * learns that an id is unknown.
     *
     * @param project the cluster's project; null when no cluster has this id
     * @throws AccessDeniedException when the caller may not see it
     * @throws ClusterNotFoundException for a platform admin, when no cluster has this id
     */
    public void requireVisible(String clusterId, String project) {
        if (project == null || !may(ProjectRole.VIEWER, project)) {
            throw platformAdmin ? new ClusterNotFoundException(clusterId) : new AccessDeniedException(
                    "no cluster '" + clusterId + "' in a project where " + name + " may read clusters");
        }
    }
}
