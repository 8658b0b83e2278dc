package io.pivotplane.devstack.testing;

import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.pivotplane.capi.components.ProviderComponents;
import java.util.Map;
import java.util.Optional;

/**
 * A Kubernetes API server (fabric8 CRUD mode) for a {@code @QuarkusTest}, used as the management cluster by the
 * service's Kubernetes client: {@code @WithTestResource(KubernetesApiResource.class)}. Fields annotated
 * {@link InjectInfrastructure} of type {@link KubernetesApiServer} receive it.
 */
public class KubernetesApiResource implements QuarkusTestResourceLifecycleManager {

    /**
     * Init argument: {@code "true"} to serve the kinds of Cluster API and the five providers from the start, as a
     * management cluster where {@code clusterctl init} ran, for a service that only writes or reads their objects (no
     * controllers, no webhooks: the simulator brings those).
     */
    public static final String PROVIDER_KINDS_ARG = "provider-kinds";

    private KubernetesApiServer server;
    private boolean providerKinds;

    @Override
    public void init(Map<String, String> initArgs) {
        providerKinds = Boolean.parseBoolean(initArgs.getOrDefault(PROVIDER_KINDS_ARG, "false"));
    }

    @Override
    public Map<String, String> start() {
        server = KubernetesApiServer.start(0);
        if (providerKinds) {
            ProviderComponents.all().stream()
                    .flatMap(component -> component.render(Map.of(), Optional.empty(), false).stream())
                    .filter(object -> "CustomResourceDefinition".equals(object.getKind()))
                    .forEach(crd -> server.client().resource(crd).create());
        }
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "default");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectInfrastructure.class, KubernetesApiServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
