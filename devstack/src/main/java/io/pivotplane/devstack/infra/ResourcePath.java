package io.pivotplane.devstack.infra;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * What a request path of the Kubernetes API names, as the API server's request-info resolver reads it:
 * {@code /api/v1/namespaces/team-a/configmaps/settings} is core group, version v1, namespace team-a, resource
 * configmaps, name settings.
 *
 * @param group       {@code ""} for the core group
 * @param namespace   {@code ""} for a cluster-wide request; a Namespace object itself is cluster-wide
 * @param name        {@code ""} for a collection
 * @param subresource {@code ""} for none
 * @param query       what follows {@code ?}, {@code ""} for nothing
 */
record ResourcePath(String group, String version, String namespace, String resource, String name,
                    String subresource, String query) {

    /** The subresources of a Namespace, which look like a namespaced collection ({@code namespaces/x/status}). */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    /** The request's resource, or empty for discovery and the other paths that name none. */
    static Optional<ResourcePath> parse(String pathAndQuery) {
        int queryStart = pathAndQuery.indexOf('?');
        String path = queryStart < 0 ? pathAndQuery : pathAndQuery.substring(0, queryStart);
        String query = queryStart < 0 ? "" : pathAndQuery.substring(queryStart + 1);
        String[] segments = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        String group;
        String version;
        int resourceStart;
        if (segments.length >= 3 && segments[0].equals("api")) {
            group = "";
            version = segments[1];
            resourceStart = 2;
        } else if (segments.length >= 4 && segments[0].equals("apis")) {
            group = segments[1];
            version = segments[2];
            resourceStart = 3;
        } else {
            return Optional.empty();
        }
        String[] rest = Arrays.copyOfRange(segments, resourceStart, segments.length);
        String namespace = "";
        boolean namespaceSubresource = rest.length == 3 && rest[0].equals("namespaces")
                && NAMESPACE_SUBRESOURCES.contains(rest[2]);
        if (rest.length >= 3 && rest[0].equals("namespaces") && !namespaceSubresource) {
            namespace = rest[1];
            rest = Arrays.copyOfRange(rest, 2, rest.length);
        }
        if (rest.length > 3) {
            return Optional.empty();
        }
        return Optional.of(new ResourcePath(group, version, namespace, rest[0], rest.length > 1 ? rest[1] : "",
                rest.length > 2 ? rest[2] : "", query));
    }

    /** {@code apps/v1}, or {@code v1} for the core group. */
    String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    boolean named() {
        return !name.isEmpty();
    }

    boolean isStatus() {
        return subresource.equals("status");
    }

    boolean isWatch() {
        return Arrays.asList(query.split("&")).contains("watch=true");
    }

    /** The path of one object of this request's resource: {@code /apis/apps/v1/namespaces/a/deployments/b}. */
    static String objectPath(String group, String version, String namespace, String resource, String name) {
        StringBuilder path = new StringBuilder(group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version);
        if (!namespace.isEmpty()) {
            path.append("/namespaces/").append(namespace);
        }
        path.append('/').append(resource);
        if (!name.isEmpty()) {
            path.append('/').append(name);
        }
        return path.toString();
    }
}
