package io.pivotplane.devstack.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a new workload cluster needs before its Nodes work, as its operator installs it once the kubeconfig exists:
 * a CNI (without it every Node stays NotReady) and, for a kubelet with {@code cloud-provider: external}, its cloud's
 * cloud-controller-manager (without it no Node gets its provider id, and CAPI no {@code nodeRef}).
 */
public final class ClusterAddons {

    /** The CCM each infrastructure's templates expect; GCP's kubelet runs the in-tree provider, MAAS has none. */
    private static final Map<String, String> CLOUD_PROVIDERS = Map.of("aws", "aws", "azure", "azure",
            "vsphere", "vsphere");

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
     * The infrastructure's cloud-controller-manager, as its project's manifests run it: a host-network DaemonSet on
     * the control-plane nodes that tolerates the not-yet-initialised and not-ready taints. Nothing for an
     * infrastructure without one.
     */
    public static void cloudControllerManager(KubernetesClient workload, String infrastructure) {
        cloudProvider(infrastructure).ifPresent(cloud -> {
            DaemonSet ccm = new DaemonSetBuilder().withNewMetadata().withName(cloud + "-cloud-controller-manager")
                    .withNamespace("kube-system").addToLabels("k8s-app", cloud + "-cloud-controller-manager").endMetadata()
                    .withNewSpec().withNewSelector().addToMatchLabels("k8s-app", cloud + "-cloud-controller-manager")
                    .endSelector().withNewTemplate().withNewMetadata()
                    .addToLabels("k8s-app", cloud + "-cloud-controller-manager").endMetadata()
                    .withNewSpec().withHostNetwork(true)
                    .addToNodeSelector("node-role.kubernetes.io/control-plane", "")
                    .addNewToleration().withKey("node.cloudprovider.kubernetes.io/uninitialized").withValue("true")
                    .withEffect("NoSchedule").endToleration()
                    .addNewToleration().withKey("node-role.kubernetes.io/control-plane").withEffect("NoSchedule")
                    .endToleration()
                    .addNewToleration().withKey("node.kubernetes.io/not-ready").withEffect("NoSchedule").endToleration()
                    .addNewContainer().withName("cloud-controller-manager")
                    .withImage("registry.k8s.io/cloud-controller-manager:" + cloud)
                    .withArgs("--cloud-provider=" + cloud, "--use-service-account-credentials=true")
                    .endContainer()
                    .endSpec().endTemplate().endSpec().build();
            apply(workload, ccm);
        });
    }

    /** The CCM's {@code --cloud-provider}, if the infrastructure's nodes need one. */
    public static Optional<String> cloudProvider(String infrastructure) {
        return Optional.ofNullable(CLOUD_PROVIDERS.get(infrastructure));
    }

    /** Both, as a quick start's "install a CNI, install the cloud provider" steps. */
    public static void install(KubernetesClient workload, String infrastructure) {
        cni(workload);
        cloudControllerManager(workload, infrastructure);
    }

    private static void apply(KubernetesClient client, HasMetadata object) {
        createIfMissing(client, new NamespaceBuilder().withNewMetadata().withName(object.getMetadata().getNamespace())
                .endMetadata().build());
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

    static List<String> infrastructures() {
        return List.copyOf(CLOUD_PROVIDERS.keySet());
    }
}
