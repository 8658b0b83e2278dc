package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import java.net.HttpURLConnection;
import java.util.Map;

/**
 * What kube-controller-manager puts into every namespace: the {@code default} ServiceAccount (the service-account
 * controller), which pods without an account of their own need to be admitted, and the {@code kube-root-ca.crt}
 * ConfigMap (the root-CA publisher), which every pod's service-account token volume projects.
 */
final class NamespaceDefaults {

    static final String DEFAULT_ACCOUNT = "default";
    static final String ROOT_CA_CONFIG_MAP = "kube-root-ca.crt";

    private final KubernetesClient client;
    private final Retries retries;

    NamespaceDefaults(KubernetesClient client, Retries retries) {
        this.client = client;
        this.retries = retries;
    }

    void reconcile(ClusterObjects objects) {
        for (GenericKubernetesResource namespace : objects.all(ClusterObjects.NAMESPACE)) {
            String name = namespace.getMetadata().getName();
            if (namespace.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (!objects.exists(ClusterObjects.SERVICE_ACCOUNT, name, DEFAULT_ACCOUNT)) {
                create(new ServiceAccountBuilder().withNewMetadata().withName(DEFAULT_ACCOUNT).withNamespace(name)
                        .endMetadata().build());
            }
            if (!objects.exists(ClusterObjects.CONFIG_MAP, name, ROOT_CA_CONFIG_MAP)) {
                create(new ConfigMapBuilder().withNewMetadata().withName(ROOT_CA_CONFIG_MAP).withNamespace(name)
                        .addToAnnotations("kubernetes.io/description", "Contains a CA bundle that can be used to "
                                + "verify the kube-apiserver when using internal endpoints such as the internal service "
                                + "IP or kubernetes.default.svc. No other usage is guaranteed across distributions of "
                                + "Kubernetes clusters.")
                        .endMetadata().withData(Map.of("ca.crt", KubernetesApiServer.CLUSTER_CA)).build());
            }
        }
    }

    private void create(HasMetadata object) {
        try {
            client.resource(object).create();
        } catch (KubernetesClientException e) {
            // already there (our cache is behind), or the namespace is going: the next change tells
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_FORBIDDEN
                    && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
                retries.failed("creating " + object.getKind() + " " + object.getMetadata().getName(), e);
            }
        }
    }
}
