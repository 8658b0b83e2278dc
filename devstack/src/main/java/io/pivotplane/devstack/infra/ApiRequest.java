package io.pivotplane.devstack.infra;

import java.util.Arrays;
import java.util.Optional;

/**
 * What RBAC decides on for one request to a Kubernetes API server, derived from its method and path the way the
 * API server does it: who asks, the verb, and the API group, resource, subresource and namespace it asks about.
 * Names are left out, so that the requests of a whole run fold into a short list.
 *
 * @param user        the caller's bearer token, which the local stack sets to the name of the service's account
 * @param apiGroup    {@code ""} for the core group
 * @param subresource {@code ""} for none
 * @param namespace   {@code ""} for a cluster-wide request
 */
public record ApiRequest(String user, String verb, String apiGroup, String resource, String subresource,
                         String namespace) {

    /** The request's RBAC attributes, or empty for discovery and other non-resource paths. */
    public static Optional<ApiRequest> of(String user, String method, String pathAndQuery) {
        return ResourcePath.parse(pathAndQuery).map(path -> new ApiRequest(user,
                verb(method, path.named(), path.query()), path.group(), path.resource(), path.subresource(),
                path.namespace()));
    }

    private static String verb(String method, boolean named, String query) {
        switch (method) {
            case "GET":
                if (Arrays.asList(query.split("&")).contains("watch=true")) {
                    return "watch";
                }
                return named ? "get" : "list";
            case "POST":
                return "create";
            case "PUT":
                return "update";
            case "PATCH":
                return "patch";
            case "DELETE":
                return named ? "delete" : "deletecollection";
            default:
                return method.toLowerCase();
        }
    }

    /** The resource as RBAC rules name it: {@code clusterrequests/status} for a subresource. */
    public String rbacResource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    @Override
    public String toString() {
        return user + ": " + verb + " " + (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + rbacResource()
                + (namespace.isEmpty() ? "" : " in " + namespace);
    }
}
