package io.pivotplane.devstack.simulator.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cloud-controller-managers a cluster runs (cloud-provider-aws, -azure, -vsphere, -gcp: a container started with
 * {@code --cloud-provider=<cloud>}): once one runs, its cloud-node controller (unless turned off, as Azure's is, whose
 * cloud-node-manager on each node does it) initialises each node the kubelet
 * registered with {@code cloud-provider: external}, as far as its cloud knows the node's machine: it sets the node's
 * provider id and addresses and removes the {@code node.cloudprovider.kubernetes.io/uninitialized} taint. A CCM of
 * another cloud than the machine's finds no instance and does nothing. The vSphere CCM first logs in to vCenter with
 * the credentials its cloud config names (inline, or the Secret of {@code secretName}/{@code secretNamespace}, with
 * {@code <server>.username} and {@code <server>.password}): without them it initialises nothing.
 */
final class CloudControllers {

    private static final Logger LOG = LoggerFactory.getLogger(CloudControllers.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The clouds with a CCM, by their {@code --cloud-provider} name, and their provider ids' scheme. */
    enum Cloud {
        AWS("aws", "aws"), AZURE("azure", "azure"), VSPHERE("vsphere", "vsphere"), GCE("gce", "gcp");

        final String flag;
        final String infrastructure;

        Cloud(String flag, String infrastructure) {
            this.flag = flag;
            this.infrastructure = infrastructure;
        }

        static Optional<Cloud> of(String flag) {
            for (Cloud cloud : values()) {
                if (cloud.flag.equals(flag)) {
                    return Optional.of(cloud);
                }
            }
            return Optional.empty();
        }

        boolean owns(String providerId) {
            return providerId.startsWith(flag + "://");
        }
    }

    /** The machine behind a node, as the infrastructure provider reports it. */
    private record Machine(String providerId, String infrastructure) {
    }

    private final KubernetesClient client;
    private final Retries retries;
    private final Map<String, Machine> machines = new ConcurrentHashMap<>();

    CloudControllers(KubernetesClient client, Retries retries) {
        this.client = client;
        this.retries = retries;
    }

    void machine(String nodeName, String providerId, String infrastructure) {
        machines.put(nodeName, new Machine(providerId, infrastructure));
    }

    void forget(String nodeName) {
        machines.remove(nodeName);
    }

    /** The cloud whose CCM a container command line runs, if any. */
    static Optional<Cloud> cloudOf(List<String> commandLine) {
        for (int i = 0; i < commandLine.size(); i++) {
            String arg = commandLine.get(i);
            if (arg.startsWith("--cloud-provider=")) {
                return Cloud.of(arg.substring("--cloud-provider=".length()));
            }
            if (arg.equals("--cloud-provider") && i + 1 < commandLine.size()) {
                return Cloud.of(commandLine.get(i + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a CCM's command line runs its cloud-node controller, which initialises nodes: every controller runs but
     * those {@code --controllers} turns off ({@code -cloud-node}) or leaves out (a list without {@code *}). Azure's
     * CCM runs with {@code --controllers=*,-cloud-node}: its cloud-node-manager initialises each node instead.
     */
    static boolean runsCloudNodeController(List<String> commandLine) {
        for (String arg : commandLine) {
            if (arg.startsWith("--controllers=")) {
                List<String> controllers = List.of(arg.substring("--controllers=".length()).split(","));
                return !controllers.contains("-cloud-node")
                        && (controllers.contains("*") || controllers.contains("cloud-node"));
            }
        }
        return true;
    }

    /** Whether the command line runs cloud-provider-azure's cloud-node-manager. */
    static boolean isAzureCloudNodeManager(List<String> commandLine) {
        return !commandLine.isEmpty() && commandLine.get(0).endsWith("cloud-node-manager");
    }

    /**
     * The CCMs with a running pod initialise the nodes of their cloud; Azure's cloud-node-manager, a pod on each node,
     * the node it runs on.
     */
    void reconcile(ClusterObjects objects, List<ClusterInternals.Workload> workloads) {
        for (ClusterInternals.Workload workload : workloads) {
            if (workload.pods().stream().noneMatch(p -> p.running)) {
                continue;
            }
            for (List<String> commandLine : workload.template().commandLines()) {
                if (isAzureCloudNodeManager(commandLine)) {
                    for (Pods.Pod pod : workload.pods()) {
                        if (pod.running && pod.node != null) {
                            objects.get(ClusterObjects.NODE, null, pod.node).ifPresent(node ->
                                    initialise(objects.copy(node, Node.class), Cloud.AZURE));
                        }
                    }
                    continue;
                }
                Optional<Cloud> cloud = cloudOf(commandLine);
                if (cloud.isEmpty() || !runsCloudNodeController(commandLine)) {
                    continue;
                }
                if (cloud.get() == Cloud.VSPHERE) {
                    Optional<String> problem = vsphereLoginProblem(workload.template(), workload.namespace(), objects);
                    if (problem.isPresent()) {
                        LOG.debug("The vSphere CCM {}/{} cannot log in to vCenter: {}", workload.namespace(),
                                workload.name(), problem.get());
                        continue;
                    }
                }
                for (GenericKubernetesResource object : objects.all(ClusterObjects.NODE)) {
                    initialise(objects.copy(object, Node.class), cloud.get());
                }
            }
        }
    }

    private void initialise(Node node, Cloud cloud) {
        List<Taint> taints = new ArrayList<>(Objects.requireNonNullElse(node.getSpec().getTaints(), List.of()));
        if (taints.stream().noneMatch(t -> Scheduling.UNINITIALIZED_TAINT.equals(t.getKey()))) {
            return;
        }
        String name = node.getMetadata().getName();
        String providerId = node.getSpec().getProviderID();
        Machine machine = machines.get(name);
        if (providerId == null || providerId.isEmpty()) {
            if (machine == null || !machine.infrastructure().equals(cloud.infrastructure)) {
                return;
            }
            providerId = machine.providerId();
        } else if (!cloud.owns(providerId)) {
            return;
        }
        try {
            node.getSpec().setProviderID(providerId);
            taints.removeIf(t -> Scheduling.UNINITIALIZED_TAINT.equals(t.getKey()));
            node.getSpec().setTaints(taints);
            Node updated = client.nodes().resource(node).update();
            List<NodeAddress> addresses = new ArrayList<>(Objects.requireNonNullElse(
                    updated.getStatus().getAddresses(), List.of()));
            if (addresses.stream().noneMatch(a -> "InternalIP".equals(a.getType()))) {
                addresses.add(0, new NodeAddress(internalIp(name), "InternalIP"));
                updated.getStatus().setAddresses(addresses);
                client.nodes().resource(updated).updateStatus();
            }
            LOG.info("The {} cloud controller initialised node {} ({})", cloud.flag, name, providerId);
        } catch (KubernetesClientException e) {
            retries.failed("initialising node " + name, e);
        }
    }

    private static String internalIp(String name) {
        int hash = name.hashCode();
        return "10." + ((hash >>> 16) & 0xff) + "." + ((hash >>> 8) & 0xff) + "." + Math.max(1, hash & 0xfe);
    }

    // --- vSphere's cloud config -------------------------------------------------------------------------------------

    /**
     * Why the vSphere CCM cannot log in, or empty: it reads the file {@code --cloud-config} names from the volume
     * mounted there, in the YAML or INI form, and needs credentials for every vCenter it lists.
     */
    static Optional<String> vsphereLoginProblem(PodTemplate template, String namespace, ClusterObjects objects) {
        Optional<String> file = template.commandLines().stream().flatMap(List::stream)
                .filter(arg -> arg.startsWith("--cloud-config=")).map(arg -> arg.substring("--cloud-config=".length()))
                .findFirst();
        if (file.isEmpty()) {
            return Optional.of("no --cloud-config");
        }
        Optional<String> config = mountedFile(template, namespace, file.get(), objects);
        if (config.isEmpty()) {
            return Optional.of("cannot read " + file.get());
        }
        Map<String, Map<String, String>> sections = parse(config.get());
        Map<String, String> global = sections.getOrDefault("global", Map.of());
        List<Map<String, String>> vcenters = new ArrayList<>();
        sections.forEach((section, values) -> {
            if (section.startsWith("vcenter ")) {
                Map<String, String> vcenter = new LinkedHashMap<>(values);
                vcenter.putIfAbsent("server", section.substring("vcenter ".length()));
                vcenters.add(vcenter);
            }
        });
        if (vcenters.isEmpty()) {
            vcenters.add(new LinkedHashMap<>());
        }
        for (Map<String, String> vcenter : vcenters) {
            String server = vcenter.get("server");
            if (has(vcenter, "user") && has(vcenter, "password") || has(global, "user") && has(global, "password")) {
                continue;
            }
            String secretName = vcenter.getOrDefault("secretname", global.get("secretname"));
            String secretNamespace = vcenter.getOrDefault("secretnamespace",
                    global.getOrDefault("secretnamespace", "kube-system"));
            if (secretName == null) {
                return Optional.of("no credentials for vCenter " + server);
            }
            Optional<GenericKubernetesResource> secret = objects.get(ClusterObjects.SECRET, secretNamespace,
                    secretName);
            if (secret.isEmpty()) {
                return Optional.of("secret " + secretNamespace + "/" + secretName + " not found");
            }
            if (server != null && !(ClusterObjects.dataKeys(secret.get()).contains(server + ".username")
                    && ClusterObjects.dataKeys(secret.get()).contains(server + ".password"))) {
                return Optional.of("secret " + secretNamespace + "/" + secretName + " has no credentials for "
                        + server);
            }
        }
        return Optional.empty();
    }

    private static boolean has(Map<String, String> values, String key) {
        return values.get(key) != null && !values.get(key).isEmpty();
    }

    /** The content of a file of the pod's first container, from the ConfigMap or Secret volume mounted there. */
    static Optional<String> mountedFile(PodTemplate template, String namespace, String path, ClusterObjects objects) {
        for (Container container : Objects.requireNonNullElse(template.spec().getContainers(), List.<Container>of())) {
            for (VolumeMount mount : Objects.requireNonNullElse(container.getVolumeMounts(), List.<VolumeMount>of())) {
                String mountPath = mount.getMountPath().replaceAll("/+$", "");
                String key;
                if (path.equals(mountPath) && mount.getSubPath() != null) {
                    key = mount.getSubPath();
                } else if (path.startsWith(mountPath + "/")) {
                    key = path.substring(mountPath.length() + 1);
                } else {
                    continue;
                }
                Optional<Volume> volume = Objects.requireNonNullElse(template.spec().getVolumes(), List.<Volume>of())
                        .stream().filter(v -> v.getName().equals(mount.getName())).findFirst();
                if (volume.isEmpty()) {
                    return Optional.empty();
                }
                if (volume.get().getConfigMap() != null) {
                    return read(objects, ClusterObjects.CONFIG_MAP, namespace, volume.get().getConfigMap().getName(),
                            keyOf(key, volume.get().getConfigMap().getItems()));
                }
                if (volume.get().getSecret() != null) {
                    return read(objects, ClusterObjects.SECRET, namespace, volume.get().getSecret().getSecretName(),
                            keyOf(key, volume.get().getSecret().getItems()));
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String keyOf(String path, List<KeyToPath> items) {
        if (items == null || items.isEmpty()) {
            return path;
        }
        return items.stream().filter(item -> path.equals(item.getPath())).map(KeyToPath::getKey).findFirst()
                .orElse(path);
    }

    private static Optional<String> read(ClusterObjects objects, String kind, String namespace, String name,
                                         String key) {
        return objects.get(kind, namespace, name).flatMap(object -> ClusterObjects.dataValue(object, key));
    }

    /**
     * The cloud config's sections with lower-cased keys without dashes: {@code global}, and {@code vcenter <name>}
     * per vCenter, from the YAML form ({@code global:}, {@code vcenter: {<name>: …}}) or the INI form
     * ({@code [Global]}, {@code [VirtualCenter "<server>"]}).
     */
    static Map<String, Map<String, String>> parse(String config) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        try {
            Object yaml = YAML.readValue(config, Object.class);
            if (yaml instanceof Map<?, ?> map && (map.containsKey("global") || map.containsKey("vcenter"))) {
                if (map.get("global") instanceof Map<?, ?> global) {
                    sections.put("global", normalized(global));
                }
                if (map.get("vcenter") instanceof Map<?, ?> vcenters) {
                    vcenters.forEach((label, values) -> {
                        if (values instanceof Map<?, ?> vcenter) {
                            sections.put("vcenter " + label, normalized(vcenter));
                        }
                    });
                }
                return sections;
            }
        } catch (java.io.IOException e) {
            // not YAML: the INI form
        }
        String section = null;
        for (String raw : config.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String header = line.substring(1, line.length() - 1).strip();
                if (header.toLowerCase().startsWith("virtualcenter")) {
                    section = "vcenter " + unquote(header.substring("virtualcenter".length()).strip());
                } else {
                    section = header.toLowerCase();
                }
                sections.computeIfAbsent(section, s -> new LinkedHashMap<>());
                continue;
            }
            int equals = line.indexOf('=');
            if (section != null && equals > 0) {
                sections.get(section).put(normalizedKey(line.substring(0, equals)),
                        unquote(line.substring(equals + 1).strip()));
            }
        }
        return sections;
    }

    private static Map<String, String> normalized(Map<?, ?> values) {
        Map<String, String> result = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (value != null && !(value instanceof Map) && !(value instanceof List)) {
                result.put(normalizedKey(String.valueOf(key)), String.valueOf(value));
            }
        });
        return result;
    }

    private static String normalizedKey(String key) {
        return key.strip().replace("-", "").toLowerCase();
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
