package io.pivotplane.devstack.testing;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.events.model.ClusterSpec;
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
     * The cluster's cloud-controller-manager, as its project's manifests run it: a host-network DaemonSet on the
     * control-plane nodes that tolerates the not-yet-initialised and not-ready taints; vSphere's with its cloud config
     * (the spec's vCenter and datacenter) and the vCenter credentials it names. Nothing for an infrastructure without
     * one.
     */
    public static void cloudControllerManager(KubernetesClient workload, ClusterSpec spec) {
        String infrastructure = spec.infrastructure().provider();
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
            if ("vsphere".equals(cloud)) {
                vsphereCloudConfig(workload, spec, ccm);
            }
            apply(workload, ccm);
        });
    }

    /** cloud-provider-vsphere's manifest: vsphere.conf from a ConfigMap, the vCenter credentials in a Secret. */
    private static void vsphereCloudConfig(KubernetesClient workload, ClusterSpec spec, DaemonSet ccm) {
        String server = spec.infrastructure().parameters().get("server");
        String datacenter = spec.infrastructure().parameters().get("datacenter");
        apply(workload, new SecretBuilder().withNewMetadata().withName("vsphere-cloud-secret")
                .withNamespace("kube-system").endMetadata()
                .addToStringData(server + ".username", "simulated-ccm@vsphere.local")
                .addToStringData(server + ".password", "simulated-password-not-real").build());
        apply(workload, new ConfigMapBuilder().withNewMetadata().withName("vsphere-cloud-config")
                .withNamespace("kube-system").endMetadata()
                .addToData("vsphere.conf", """
                        global:
                          port: 443
                          insecureFlag: true
                          secretName: vsphere-cloud-secret
                          secretNamespace: kube-system
                        vcenter:
                          %1$s:
                            server: %1$s
                            datacenters:
                              - %2$s
                        """.formatted(server, datacenter)).build());
        var pod = ccm.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        container.setArgs(new java.util.ArrayList<>(container.getArgs()));
        container.getArgs().add("--cloud-config=/etc/cloud/vsphere.conf");
        container.setVolumeMounts(List.of(new VolumeMountBuilder().withName("vsphere-config-volume")
                .withMountPath("/etc/cloud").withReadOnly(true).build()));
        pod.setVolumes(List.of(new VolumeBuilder().withName("vsphere-config-volume").withNewConfigMap()
                .withName("vsphere-cloud-config").endConfigMap().build()));
    }

    /** The CCM's {@code --cloud-provider}, if the infrastructure's nodes need one. */
    public static Optional<String> cloudProvider(String infrastructure) {
        return Optional.ofNullable(CLOUD_PROVIDERS.get(infrastructure));
    }

    /** Both, as a quick start's "install a CNI, install the cloud provider" steps. */
    public static void install(KubernetesClient workload, ClusterSpec spec) {
        cni(workload);
        cloudControllerManager(workload, spec);
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
}
