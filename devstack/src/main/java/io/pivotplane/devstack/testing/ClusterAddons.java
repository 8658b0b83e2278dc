package io.pivotplane.devstack.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pivotplane.capi.bootstrap.CloudControllerManagers;
import io.pivotplane.events.model.ClusterSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a new workload cluster needs before its Nodes work, as its operator installs it once the kubeconfig exists:
 * a CNI (without it every Node stays NotReady) and, for a kubelet with {@code cloud-provider: external}, its cloud's
 * cloud-controller-manager (without it no Node gets its provider id, and CAPI no {@code nodeRef}).
 */
public final class ClusterAddons {

    private ClusterAddons() {
    }

    /** Calico's node agent: a host-network DaemonSet on every node that writes the CNI config to /etc/cni/net.d. */
    public static void cni(KubernetesClient workload) {
        apply(workload, new DaemonSetBuilder().withNewMetadata().withName("calico-node").withNamespace("kube-system")
                .addToLabels("k8s-app", "calico-node").endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("k8s-app", "calico-node").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("k8s-app", "calico-node").endMetadata()
                .withNewSpec().withHostNetwork(true)
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer().withName("calico-node").withImage("docker.io/calico/node:v3.28.1").endContainer()
                .addNewVolume().withName("cni-net-dir").withNewHostPath().withPath("/etc/cni/net.d").endHostPath()
                .endVolume()
                .endSpec().endTemplate().endSpec().build());
    }

    /**
     * The cluster's cloud-controller-manager from its project's upstream manifests with the cluster's values
     * ({@link CloudControllerManagers}), and, for vSphere, its credentials Secret filled from the cluster's own
     * credentials in the management cluster, as the Secret's description says. Nothing for GCP (in-tree) and MAAS.
     */
    public static void cloudControllerManager(KubernetesClient management, KubernetesClient workload, ClusterSpec spec) {
        CloudControllerManagers.forCluster(spec).ifPresent(ccm -> {
            ccm.credentialsSecret().ifPresent(described -> {
                Secret source = management.secrets().inNamespace(described.source().namespace())
                        .withName(described.source().name()).get();
                Map<String, String> data = new LinkedHashMap<>();
                described.keys().forEach((key, sourceKey) -> data.put(key, base64Value(source, sourceKey)));
                apply(workload, new SecretBuilder().withNewMetadata().withName(described.name().name())
                        .withNamespace(described.name().namespace()).withLabels(described.labels()).endMetadata()
                        .withType(described.type()).withData(data).build());
            });
            KubernetesSerialization serialization = workload.getKubernetesSerialization();
            for (GenericKubernetesResource object : ccm.objects()) {
                apply(workload, serialization.unmarshal(serialization.asJson(object)));
            }
        });
    }

    /** Both, as a quick start's "install a CNI, install the cloud provider" steps. */
    public static void install(KubernetesClient management, KubernetesClient workload, ClusterSpec spec) {
        cni(workload);
        cloudControllerManager(management, workload, spec);
    }

    /** A Secret's value, base64 as {@code data} holds it (an API server stores {@code stringData} there too). */
    private static String base64Value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().containsKey(key)) {
            return secret.getData().get(key);
        }
        String plain = secret.getStringData() == null ? "" : secret.getStringData().getOrDefault(key, "");
        return java.util.Base64.getEncoder().encodeToString(plain.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void apply(KubernetesClient client, HasMetadata object) {
        if (object.getMetadata().getNamespace() != null) {
            createIfMissing(client, new NamespaceBuilder().withNewMetadata()
                    .withName(object.getMetadata().getNamespace()).endMetadata().build());
        }
        createIfMissing(client, object);
    }

    static void createIfMissing(KubernetesClient client, HasMetadata object) {
        try {
            client.resource(object).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }
}
