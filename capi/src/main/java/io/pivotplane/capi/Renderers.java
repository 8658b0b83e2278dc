package io.pivotplane.capi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The renderer of each supported infrastructure. */
public final class Renderers {

    private static final Map<String, ClusterRenderer> BY_PROVIDER = Stream.of(
                    new AwsRenderer(), new GcpRenderer(), new AzureRenderer(), new VSphereRenderer(), new MaasRenderer())
            .collect(Collectors.toUnmodifiableMap(ClusterRenderer::provider, Function.identity()));

    private Renderers() {
    }

    public static Optional<ClusterRenderer> find(String provider) {
        return Optional.ofNullable(BY_PROVIDER.get(provider));
    }

    /** @throws UnsupportedInfrastructureException when no renderer exists for the provider */
    public static ClusterRenderer forProvider(String provider) {
        return find(provider).orElseThrow(() -> new UnsupportedInfrastructureException(provider));
    }

    public static List<String> supportedProviders() {
        return BY_PROVIDER.keySet().stream().sorted().toList();
    }
}
