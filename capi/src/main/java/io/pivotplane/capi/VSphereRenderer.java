package io.pivotplane.capi;

import static io.pivotplane.capi.ObjectMaps.map;

import io.pivotplane.events.model.ClusterSpec;
import java.util.List;
import java.util.Map;

/**
 * vSphere through CAPV 1.12.0, after its upstream template: the control plane's endpoint is a virtual IP that
 * kube-vip, a static pod on each control-plane node, holds.
 */
public final class VSphereRenderer extends KubeadmClusterRenderer {

    public static final String PROVIDER = "vsphere";
    public static final String API_VERSION = Capi.infrastructureApiVersion("v1beta1");
    public static final String CLUSTER_KIND = "VSphereCluster";
    public static final String MACHINE_TEMPLATE_KIND = "VSphereMachineTemplate";
    /** The user of CAPV's templates that receives the SSH keys. */
    static final String SSH_USER = "capv";
    static final int DEFAULT_API_PORT = 6443;
    static final String KUBE_VIP_IMAGE = "ghcr.io/kube-vip/kube-vip:v0.6.4";
    static final String CONTAINERD_SOCKET = "/var/run/containerd/containerd.sock";
    static final String PRE_KUBEADM_SCRIPTS = "/etc/pre-kubeadm-commands";
    /**
     * From kubeadm v1.29 on, admin.conf gets its rights only once init is done, so kube-vip reads
     * super-admin.conf while the first control-plane node initialises.
     */
    static final String KUBE_VIP_INIT_SCRIPT = """
            #!/bin/bash
            set -e
            minor="$(kubeadm version -o short | cut -d '.' -f 2)"
            if [[ "$minor" -ge 29 && -f /run/kubeadm/kubeadm.yaml ]]; then
              sed -i 's#path: /etc/kubernetes/admin.conf#path: /etc/kubernetes/super-admin.conf#' \\
                /etc/kubernetes/manifests/kube-vip.yaml
            fi
            """;

    public VSphereRenderer() {
        super(PROVIDER, API_VERSION, CLUSTER_KIND, MACHINE_TEMPLATE_KIND);
    }

    @Override
    protected String controlPlaneName(ClusterSpec spec) {
        return spec.name();
    }

    @Override
    protected String sshUser() {
        return SSH_USER;
    }

    @Override
    protected Map<String, Object> infrastructureClusterSpec(String clusterId, ClusterSpec spec) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        return map(
                "controlPlaneEndpoint", map(
                        "host", parameters.get("controlPlaneEndpoint"),
                        "port", apiPort(parameters)),
                "identityRef", map("kind", "Secret", "name", spec.infrastructure().credentialsRef()),
                "server", parameters.get("server"),
                "thumbprint", parameters.get("thumbprint"));
    }

    @Override
    protected Map<String, Object> machineTemplateSpec(ClusterSpec spec, MachineRole role, Map<String, Object> machine) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        return map(
                "cloneMode", "linkedClone",
                "datacenter", parameters.get("datacenter"),
                "datastore", parameters.get("datastore"),
                "diskGiB", integer(machine, "diskGiB"),
                "folder", parameters.get("folder"),
                "memoryMiB", integer(machine, "memoryMiB"),
                "network", map("devices", List.of(map("dhcp4", true, "networkName", parameters.get("network")))),
                "numCPUs", integer(machine, "numCPUs"),
                "os", "Linux",
                "powerOffMode", "trySoft",
                "resourcePool", parameters.get("resourcePool"),
                "server", parameters.get("server"),
                "storagePolicyName", parameters.get("storagePolicy"),
                "template", parameters.get("template"),
                "thumbprint", parameters.get("thumbprint"));
    }

    @Override
    protected Map<String, Object> nodeRegistration() {
        Map<String, Object> registration = map("criSocket", CONTAINERD_SOCKET);
        registration.putAll(kubelet("{{ local_hostname }}", map("cloud-provider", "external")));
        return registration;
    }

    @Override
    protected Map<String, Object> clusterConfiguration(ClusterSpec spec) {
        return externalCloudProvider();
    }

    @Override
    protected Map<String, Object> controlPlaneConfigExtras(ClusterSpec spec, String machineTemplateName) {
        return map(
                "files", List.of(
                        file("/etc/kubernetes/manifests/kube-vip.yaml", kubeVipPod(spec), "0644"),
                        file("/etc/kube-vip.hosts", "127.0.0.1 localhost kubernetes", "0644"),
                        file(PRE_KUBEADM_SCRIPTS + "/50-kube-vip-prepare.sh", KUBE_VIP_INIT_SCRIPT, "0700")),
                "preKubeadmCommands", preKubeadmCommands());
    }

    @Override
    protected Map<String, Object> workerConfigExtras(ClusterSpec spec, String machineTemplateName) {
        return map("preKubeadmCommands", preKubeadmCommands());
    }

    /** The hostname from vSphere's metadata, then every script under {@link #PRE_KUBEADM_SCRIPTS} in order. */
    private static List<String> preKubeadmCommands() {
        return List.of(
                "hostnamectl set-hostname \"{{ ds.meta_data.hostname }}\"",
                "echo \"::1         ipv6-localhost ipv6-loopback localhost6 localhost6.localdomain6\" >/etc/hosts",
                "echo \"127.0.0.1   {{ ds.meta_data.hostname }} {{ local_hostname }} localhost localhost.localdomain"
                        + " localhost4 localhost4.localdomain4\" >>/etc/hosts",
                "mkdir -p " + PRE_KUBEADM_SCRIPTS,
                "for script in $(find " + PRE_KUBEADM_SCRIPTS + "/ -name '*.sh' -type f | sort); do echo \"Running"
                        + " script $script\"; \"$script\"; done");
    }

    private static Map<String, Object> file(String path, String content, String permissions) {
        return map("content", content, "owner", "root:root", "path", path, "permissions", permissions);
    }

    private static int apiPort(Map<String, String> parameters) {
        return parameters.containsKey("controlPlaneEndpointPort")
                ? Integer.parseInt(parameters.get("controlPlaneEndpointPort")) : DEFAULT_API_PORT;
    }

    private static String kubeVipPod(ClusterSpec spec) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        List<Map<String, Object>> env = List.of(
                env("vip_arp", "true"),
                env("port", String.valueOf(apiPort(parameters))),
                env("vip_cidr", "32"),
                env("cp_enable", "true"),
                env("cp_namespace", "kube-system"),
                env("vip_ddns", "false"),
                env("svc_enable", "true"),
                env("svc_leasename", "plndr-svcs-lock"),
                env("svc_election", "true"),
                env("vip_leaderelection", "true"),
                env("vip_leasename", "plndr-cp-lock"),
                env("vip_leaseduration", "15"),
                env("vip_renewdeadline", "10"),
                env("vip_retryperiod", "2"),
                env("address", parameters.get("controlPlaneEndpoint")));
        Map<String, Object> pod = map(
                "apiVersion", "v1",
                "kind", "Pod",
                "metadata", map("name", "kube-vip", "namespace", "kube-system"),
                "spec", map(
                        "containers", List.of(map(
                                "args", List.of("manager"),
                                "env", env,
                                "image", KUBE_VIP_IMAGE,
                                "imagePullPolicy", "IfNotPresent",
                                "name", "kube-vip",
                                "securityContext", map("capabilities", map("add", List.of("NET_ADMIN", "NET_RAW"))),
                                "volumeMounts", List.of(
                                        map("mountPath", "/etc/kubernetes/admin.conf", "name", "kubeconfig"),
                                        map("mountPath", "/etc/hosts", "name", "etchosts")))),
                        "hostNetwork", true,
                        "volumes", List.of(
                                map("hostPath", map("path", "/etc/kubernetes/admin.conf"), "name", "kubeconfig"),
                                map("hostPath", map("path", "/etc/kube-vip.hosts", "type", "File"), "name", "etchosts"))));
        return Manifests.yaml(pod);
    }

    private static Map<String, Object> env(String name, String value) {
        return map("name", name, "value", value);
    }
}
