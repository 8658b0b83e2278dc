package io.pivotplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Overlay.allows decides as RBAC does, on the rules of the production overlay. */
class OverlayRbacTest {

    static final Path PROJECT = Path.of(System.getProperty("pivotplane.project-dir", "..")).toAbsolutePath().normalize();
    static Overlay production;

    @BeforeAll
    static void render() throws Exception {
        Kustomize.assumeAvailable();
        production = Overlay.render(PROJECT, "production");
    }

    @Test
    void aClusterRoleBindingGrantsItsRulesInEveryNamespace() {
        assertThat(production.allows("provisioner-service", "pivotplane", "watch", "", "secrets", "team-a")).isTrue();
        assertThat(production.allows("provisioner-service", "pivotplane", "watch", "", "secrets", "")).isTrue();
    }

    @Test
    void aVerbAResourceOrAGroupNotGrantedIsForbidden() {
        assertThat(production.allows("provisioner-service", "pivotplane", "delete", "", "secrets", "team-a")).isFalse();
        assertThat(production.allows("provisioner-service", "pivotplane", "watch", "", "configmaps", "team-a")).isFalse();
        assertThat(production.allows("spec-service", "pivotplane", "create", "apps", "clusters", "team-a")).isFalse();
    }

    @Test
    void aSubresourceIsGrantedOnlyByName() {
        assertThat(production.allows("request-service", "pivotplane", "patch", "pivotplane.io",
                "clusterrequests/status", "team-a")).isTrue();
        // clusterrequests is granted patch (its finalizer): that grants none of its other subresources
        assertThat(production.allows("request-service", "pivotplane", "patch", "pivotplane.io",
                "clusterrequests/scale", "team-a")).isFalse();
    }

    @Test
    void aWildcardResourceCoversEveryKindOfItsGroups() {
        assertThat(production.allows("pivot-service", "pivotplane", "delete", "infrastructure.cluster.x-k8s.io",
                "awsmachines", "team-a")).isTrue();
    }

    @Test
    void anAccountWithoutBindingsOrOfAnotherNamespaceMayDoNothing() {
        assertThat(production.allows("addon-service", "pivotplane", "get", "", "secrets", "team-a")).isFalse();
        assertThat(production.allows("pivot-service", "default", "get", "", "secrets", "team-a")).isFalse();
    }
}
