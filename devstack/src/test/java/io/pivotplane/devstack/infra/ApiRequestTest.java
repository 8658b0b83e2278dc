package io.pivotplane.devstack.infra;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiRequestTest {

    @Test
    void aNamedObjectOfAGroupInANamespaceIsAGet() {
        assertThat(ApiRequest.of("spec-service", "GET", "/apis/cluster.x-k8s.io/v1beta1/namespaces/team-a/clusters/edge"))
                .contains(new ApiRequest("spec-service", "get", "cluster.x-k8s.io", "clusters", "", "team-a"));
    }

    @Test
    void aCollectionIsAListOrAWatchByItsQuery() {
        assertThat(ApiRequest.of("p", "GET", "/api/v1/secrets?labelSelector=cluster.x-k8s.io%2Fcluster-name"))
                .contains(new ApiRequest("p", "list", "", "secrets", "", ""));
        assertThat(ApiRequest.of("p", "GET", "/api/v1/secrets?resourceVersion=12&allowWatchBookmarks=true&watch=true"))
                .contains(new ApiRequest("p", "watch", "", "secrets", "", ""));
    }

    @Test
    void writesAreCreateUpdatePatchAndDelete() {
        String objects = "/apis/pivotplane.io/v1alpha1/namespaces/team-a/clusterrequests";
        assertThat(ApiRequest.of("r", "POST", objects)).map(ApiRequest::verb).contains("create");
        assertThat(ApiRequest.of("r", "PUT", objects + "/edge")).map(ApiRequest::verb).contains("update");
        assertThat(ApiRequest.of("r", "PATCH", objects + "/edge")).map(ApiRequest::verb).contains("patch");
        assertThat(ApiRequest.of("r", "DELETE", objects + "/edge")).map(ApiRequest::verb).contains("delete");
        assertThat(ApiRequest.of("r", "DELETE", objects)).map(ApiRequest::verb).contains("deletecollection");
    }

    @Test
    void aSubresourceIsNamedAsRbacRulesNameIt() {
        assertThat(ApiRequest.of("r", "PUT", "/apis/pivotplane.io/v1alpha1/namespaces/team-a/clusterrequests/edge/status"))
                .map(ApiRequest::rbacResource).contains("clusterrequests/status");
    }

    @Test
    void namespacesThemselvesAreAClusterWideResource() {
        assertThat(ApiRequest.of("s", "GET", "/api/v1/namespaces/team-a"))
                .contains(new ApiRequest("s", "get", "", "namespaces", "", ""));
        assertThat(ApiRequest.of("s", "POST", "/api/v1/namespaces"))
                .contains(new ApiRequest("s", "create", "", "namespaces", "", ""));
    }

    @Test
    void discoveryIsNotAResourceRequest() {
        assertThat(ApiRequest.of("s", "GET", "/apis")).isEmpty();
        assertThat(ApiRequest.of("s", "GET", "/apis/cluster.x-k8s.io/v1beta1")).isEmpty();
        assertThat(ApiRequest.of("s", "GET", "/api/v1")).isEmpty();
        assertThat(ApiRequest.of("s", "GET", "/version")).isEmpty();
    }
}
