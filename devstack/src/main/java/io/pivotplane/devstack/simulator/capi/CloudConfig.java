package io.pivotplane.devstack.simulator.capi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pivotplane.capi.Manifests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bootstrap data the simulated kubeadm bootstrap provider writes and a simulated VM's cloud-init runs: a
 * cloud-config with the kubeadm configuration in {@code /run/kubeadm/kubeadm.yaml} and the {@code kubeadm init} or
 * {@code kubeadm join} that reads it, as CABPK's templates have it. One line more than CABPK writes names the
 * cluster, where a real kubeadm finds its control plane through the endpoint: simulated clusters may share one. Another
 * names the Machine's Kubernetes version, which a real VM has from its image (the providers pick the image built for
 * the Machine's {@code spec.version}): the kubelet reports it.
 */
record CloudConfig(Key cluster, boolean init, boolean controlPlane, Map<String, Object> nodeRegistration,
                   Map<String, Object> clusterConfiguration, Optional<String> kubernetesVersion) {

    static final String KUBEADM_YAML = "/run/kubeadm/kubeadm.yaml";
    private static final String CLUSTER_LINE = "# pivotplane simulator: cluster ";
    private static final String VERSION_LINE = "# pivotplane simulator: kubernetes ";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * @param kubeadm the kubeadm documents: ClusterConfiguration and InitConfiguration, or JoinConfiguration
     * @param files the config's files with their content resolved
     */
    static String render(Key cluster, Optional<String> kubernetesVersion, boolean init, List<Map<String, Object>> kubeadm,
                         List<Map<String, Object>> files, List<String> preKubeadmCommands,
                         List<String> postKubeadmCommands) {
        List<Map<String, Object>> writeFiles = new ArrayList<>(files);
        writeFiles.add(map("path", KUBEADM_YAML, "owner", "root:root", "permissions", "0640",
                "content", Manifests.yamlStream(kubeadm)));
        List<String> commands = new ArrayList<>(preKubeadmCommands);
        commands.add((init ? "kubeadm init" : "kubeadm join") + " --config " + KUBEADM_YAML
                + " && echo success > /run/cluster-api/bootstrap-success.complete");
        commands.addAll(postKubeadmCommands);
        Map<String, Object> config = map("write_files", writeFiles, "runcmd", commands);
        return "## template: jinja\n#cloud-config\n" + CLUSTER_LINE + cluster.namespace() + "/" + cluster.name() + "\n"
                + kubernetesVersion.map(v -> VERSION_LINE + v + "\n").orElse("") + Manifests.yaml(config);
    }

    /** What a VM's cloud-init finds in its user data; empty when it is not kubeadm bootstrap data. */
    static Optional<CloudConfig> parse(String userData) {
        Key cluster = null;
        String version = null;
        for (String line : userData.split("\n")) {
            if (line.startsWith(CLUSTER_LINE)) {
                String[] parts = line.substring(CLUSTER_LINE.length()).trim().split("/", 2);
                cluster = new Key(parts[0], parts[1]);
            } else if (line.startsWith(VERSION_LINE)) {
                version = line.substring(VERSION_LINE.length()).trim();
            }
        }
        if (cluster == null) {
            return Optional.empty();
        }
        Map<?, ?> config;
        try {
            config = YAML.readValue(userData, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("user data is not YAML", e);
        }
        boolean init = String.valueOf(config.get("runcmd")).contains("kubeadm init");
        Map<String, Object> nodeRegistration = Map.of();
        Map<String, Object> clusterConfiguration = Map.of();
        boolean controlPlane = init;
        for (Object file : (List<?>) config.get("write_files")) {
            Map<?, ?> f = (Map<?, ?>) file;
            if (!KUBEADM_YAML.equals(f.get("path"))) {
                continue;
            }
            for (String document : String.valueOf(f.get("content")).split("(?m)^---\\s*$")) {
                if (document.isBlank()) {
                    continue;
                }
                Map<String, Object> doc = read(document);
                String kind = String.valueOf(doc.get("kind"));
                if ("InitConfiguration".equals(kind) || "JoinConfiguration".equals(kind)) {
                    nodeRegistration = asMap(doc.get("nodeRegistration"));
                }
                if ("JoinConfiguration".equals(kind)) {
                    controlPlane = doc.get("controlPlane") != null;
                }
                if ("ClusterConfiguration".equals(kind)) {
                    clusterConfiguration = doc;
                }
            }
        }
        return Optional.of(new CloudConfig(cluster, init, controlPlane, nodeRegistration, clusterConfiguration,
                Optional.ofNullable(version).filter(v -> !v.isEmpty())));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(String document) {
        try {
            return YAML.readValue(document, Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException("kubeadm configuration is not YAML", e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        return io.pivotplane.capi.ObjectMaps.map(keysAndValues);
    }
}
