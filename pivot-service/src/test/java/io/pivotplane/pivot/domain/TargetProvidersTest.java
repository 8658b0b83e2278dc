package io.pivotplane.pivot.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The scenarios of clusterctl's {@code Test_objectMover_checkTargetProviders}, and pivotplane's narrowing to the providers a cluster uses. */
class TargetProvidersTest {

    static InstalledProvider core(String version) {
        return new InstalledProvider("cluster-api", InstalledProvider.CORE, version, "capi-system");
    }

    static InstalledProvider infrastructure(String name, String version) {
        return new InstalledProvider(name, InstalledProvider.INFRASTRUCTURE, version, "cap" + name.charAt(0) + "-system");
    }

    static InstalledProvider bootstrap(String version) {
        return new InstalledProvider("kubeadm", InstalledProvider.BOOTSTRAP, version, "capi-kubeadm-bootstrap-system");
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of("all the providers in place, same versions",
                        List.of(core("v1.9.11"), infrastructure("vsphere", "v1.12.0")),
                        List.of(core("v1.9.11"), infrastructure("vsphere", "v1.12.0")),
                        List.of()),
                Arguments.of("all the providers in place, newer versions in the target",
                        List.of(core("v1.9.11"), infrastructure("vsphere", "v1.12.0")),
                        List.of(core("v1.10.0"), infrastructure("vsphere", "v1.12.1")),
                        List.of()),
                Arguments.of("a provider is missing in the target",
                        List.of(core("v1.9.11"), infrastructure("vsphere", "v1.12.0")),
                        List.of(core("v1.9.11")),
                        List.of("provider vsphere (InfrastructureProvider) not found in the target cluster")),
                Arguments.of("a provider is older in the target",
                        List.of(core("v1.9.11"), infrastructure("vsphere", "v1.12.0")),
                        List.of(core("v1.8.0"), infrastructure("vsphere", "v1.12.0")),
                        List.of("provider cluster-api in the target cluster is older than in the source cluster"
                                + " (source: v1.9.11, target: v1.8.0)")),
                Arguments.of("a pre-release is older than its release",
                        List.of(core("v1.9.11")), List.of(core("v1.9.11-rc.1")),
                        List.of("provider cluster-api in the target cluster is older than in the source cluster"
                                + " (source: v1.9.11, target: v1.9.11-rc.1)")),
                Arguments.of("the newest of several instances counts",
                        List.of(core("v1.9.11")), List.of(core("v1.8.0"), core("v1.9.11")),
                        List.of()),
                Arguments.of("providers the cluster does not use are not asked for",
                        List.of(core("v1.9.11"), bootstrap("v1.9.11"), infrastructure("vsphere", "v1.12.0"),
                                infrastructure("aws", "v2.7.1"), infrastructure("azure", "v1.18.1")),
                        List.of(core("v1.9.11"), bootstrap("v1.9.11"), infrastructure("vsphere", "v1.12.0")),
                        List.of()),
                Arguments.of("a target with no providers at all",
                        List.of(core("v1.9.11"), bootstrap("v1.9.11"), infrastructure("vsphere", "v1.12.0")),
                        List.of(),
                        List.of("provider cluster-api (CoreProvider) not found in the target cluster",
                                "provider kubeadm (BootstrapProvider) not found in the target cluster",
                                "provider vsphere (InfrastructureProvider) not found in the target cluster")),
                Arguments.of("an unreadable version is named",
                        List.of(core("latest")), List.of(core("v1.9.11")),
                        List.of("unable to parse version latest of provider cluster-api in the source cluster")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void checksTheTargetAsClusterctlDoes(String scenario, List<InstalledProvider> source, List<InstalledProvider> target,
                                         List<String> problems) {
        assertThat(TargetProviders.check(source, target, TargetProviders.usedBy("vsphere")))
                .containsExactlyElementsOf(problems);
    }
}
