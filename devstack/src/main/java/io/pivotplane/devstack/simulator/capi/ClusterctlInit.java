package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pivotplane.capi.components.NamespacedName;
import io.pivotplane.capi.components.ProviderComponents;
import io.pivotplane.capi.request.Provider;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code clusterctl init} against a cluster (cmd/clusterctl/client/init.go): clusterctl's inventory CRD, then
 * cert-manager (waiting until it runs, as clusterctl waits for its API), then the core provider, the kubeadm bootstrap
 * and control-plane providers and the infrastructure providers, each rendered by {@link ProviderComponents} with the
 * operator's credentials. Each object is created, or updated where it exists, and retried while the API refuses it
 * (a kind whose CRD is not Established yet), as clusterctl's create-or-update with back-off does.
 */
public final class ClusterctlInit {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterctlInit.class);
    private static final Duration RETRY = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ClusterctlInit() {
    }

    /** Installs what the settings ask for in the management cluster. */
    public static void install(KubernetesClient cluster, SimulatorSettings settings) {
        List<ProviderComponents> providers = new ArrayList<>(List.of(ProviderComponents.core(),
                ProviderComponents.kubeadmBootstrap(), ProviderComponents.kubeadmControlPlane()));
        Arrays.stream(Provider.values()).filter(settings.managementProviders()::contains)
                .forEach(p -> providers.add(ProviderComponents.infrastructure(p.id())));
        install(cluster, providers, settings.managementCredentials().variables());
    }

    /** Installs cert-manager (unless it runs already) and the given providers. */
    public static void install(KubernetesClient cluster, List<ProviderComponents> providers,
                               java.util.Map<String, String> variables) {
        apply(cluster, ProviderComponents.inventoryCustomResourceDefinition());
        ProviderComponents certManager = ProviderComponents.certManager();
        apply(cluster, certManager.render(variables, Optional.empty(), true));
        awaitAvailable(cluster, certManager);
        for (ProviderComponents provider : providers) {
            apply(cluster, provider.render(variables, Optional.empty(), true));
            LOG.info("clusterctl init: installed {} {} in {}", provider.manifestLabel(), provider.version(),
                    provider.namespace());
        }
    }

    private static void apply(KubernetesClient cluster, List<GenericKubernetesResource> objects) {
        KubernetesSerialization serialization = cluster.getKubernetesSerialization();
        for (GenericKubernetesResource object : objects) {
            HasMetadata typed = serialization.unmarshal(serialization.asJson(object));
            createOrUpdate(cluster, typed);
        }
    }

    private static void createOrUpdate(KubernetesClient cluster, HasMetadata object) {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (true) {
            try {
                try {
                    cluster.resource(object).create();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                        throw e;
                    }
                    HasMetadata existing = cluster.resource(object).get();
                    object.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                    cluster.resource(object).update();
                }
                return;
            } catch (KubernetesClientException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                pause();
            }
        }
    }

    /** clusterctl waits for cert-manager's API before it installs the providers, whose webhooks need certificates. */
    private static void awaitAvailable(KubernetesClient cluster, ProviderComponents component) {
        Instant deadline = Instant.now().plus(TIMEOUT);
        for (NamespacedName name : component.deployments()) {
            while (!available(cluster, name)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("clusterctl init: " + component.manifestLabel() + " Deployment "
                            + name.namespace() + "/" + name.name() + " did not become available");
                }
                pause();
            }
        }
    }

    private static boolean available(KubernetesClient cluster, NamespacedName name) {
        var deployment = cluster.apps().deployments().inNamespace(name.namespace()).withName(name.name()).get();
        if (deployment == null || deployment.getStatus() == null) {
            return false;
        }
        Integer available = deployment.getStatus().getAvailableReplicas();
        return available != null && available > 0;
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
