package io.pivotplane.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KubernetesApiResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager.TestInjector;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class KubernetesApiResourceTest {

    @InjectInfrastructure
    KubernetesApiServer injected;

    @Test
    void theConfigurationItGivesQuarkusReachesItsServerAndTheTestGetsTheServer() {
        KubernetesApiResource resource = new KubernetesApiResource();
        Map<String, String> config = resource.start();
        try {
            resource.inject(new FieldInjector(this));
            Config clientConfig = new ConfigBuilder()
                    .withMasterUrl(config.get("quarkus.kubernetes-client.api-server-url"))
                    .withTrustCerts(true)
                    .build();
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig).build()) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata()
                        .build()).create();
            }

            assertThat(injected).isNotNull();
            assertThat(injected.client().namespaces().withName("team-a").get()).isNotNull();
        } finally {
            resource.stop();
        }
    }

    /** Injects into the fields of one object, as Quarkus does into a test instance. */
    private record FieldInjector(Object target) implements TestInjector {

        @Override
        public void injectIntoFields(Object value, Predicate<Field> predicate) {
            for (Field field : target.getClass().getDeclaredFields()) {
                if (predicate.test(field)) {
                    try {
                        field.setAccessible(true);
                        field.set(target, value);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }
}
