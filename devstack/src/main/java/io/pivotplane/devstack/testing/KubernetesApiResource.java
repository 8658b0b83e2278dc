package io.pivotplane.devstack.testing;

import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A Kubernetes API server (fabric8 CRUD mode) for a {@code @QuarkusTest}, used as the management cluster by the
 * service's Kubernetes client: {@code @WithTestResource(KubernetesApiResource.class)}. Fields annotated
 * {@link InjectInfrastructure} of type {@link KubernetesApiServer} receive it.
 */
public class KubernetesApiResource implements QuarkusTestResourceLifecycleManager {

    private KubernetesApiServer server;

    @Override
    public Map<String, String> start() {
        server = KubernetesApiServer.start(0);
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
