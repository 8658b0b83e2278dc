package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pod template says about where its pods may run and whether they can start there, read once per template:
 * host network, node name, selector and required affinity, tolerations (with those the API server's admission and the
 * DaemonSet controller add), the account and priority class its pods need to be admitted, and every Secret and
 * ConfigMap (and key) they need to start.
 */
final class PodTemplate {

    /** A Secret or ConfigMap a pod needs to start: the whole object, or one key of it ({@code key} non-null). */
    record Reference(String kind, String name, String key, boolean optional) {
    }

    private final PodTemplateSpec template;
    private final PodSpec spec;
    private final String hash;
    private final List<Reference> references;

    private PodTemplate(PodTemplateSpec template) {
        this.template = template;
        this.spec = template.getSpec() == null ? new PodSpec() : template.getSpec();
        this.hash = Integer.toUnsignedString(Objects.hashCode(template), 36);
        this.references = references(spec);
    }

    static PodTemplate of(PodTemplateSpec template) {
        return new PodTemplate(template == null ? new PodTemplateSpec() : template);
    }

    /** Identifies the template's content, as the {@code pod-template-hash} label does. */
    String hash() {
        return hash;
    }

    PodSpec spec() {
        return spec;
    }

    Map<String, String> labels() {
        return template.getMetadata() == null || template.getMetadata().getLabels() == null ? Map.of()
                : template.getMetadata().getLabels();
    }

    boolean hostNetwork() {
        return Boolean.TRUE.equals(spec.getHostNetwork());
    }

    Optional<String> nodeName() {
        return Optional.ofNullable(spec.getNodeName()).filter(name -> !name.isEmpty());
    }

    Map<String, String> nodeSelector() {
        return Objects.requireNonNullElse(spec.getNodeSelector(), Map.of());
    }

    /** The terms of {@code requiredDuringSchedulingIgnoredDuringExecution}, or null when there is none. */
    List<NodeSelectorTerm> requiredNodeAffinity() {
        if (spec.getAffinity() == null || spec.getAffinity().getNodeAffinity() == null
                || spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return null;
        }
        return Objects.requireNonNullElse(spec.getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms(), List.of());
    }

    /**
     * The tolerations of a pod of a Deployment: its own, plus what the DefaultTolerationSeconds admission plugin adds
     * (not-ready and unreachable, NoExecute, for 300 s).
     */
    List<Toleration> podTolerations() {
        List<Toleration> tolerations = new ArrayList<>(Objects.requireNonNullElse(spec.getTolerations(), List.of()));
        for (String key : List.of(Scheduling.NOT_READY_TAINT, "node.kubernetes.io/unreachable")) {
            if (tolerations.stream().noneMatch(t -> key.equals(t.getKey()) && Scheduling.NO_EXECUTE.equals(t.getEffect()))) {
                tolerations.add(new Toleration(Scheduling.NO_EXECUTE, key, "Exists", 300L, null));
            }
        }
        return tolerations;
    }

    /**
     * The tolerations of a DaemonSet's pod: its own plus those the DaemonSet controller adds
     * ({@code AddOrUpdateDaemonPodTolerations}): not-ready and unreachable NoExecute, the pressure and unschedulable
     * NoSchedule taints, and network-unavailable for host-network pods. Not {@code not-ready:NoSchedule}.
     */
    List<Toleration> daemonTolerations() {
        List<Toleration> tolerations = new ArrayList<>(Objects.requireNonNullElse(spec.getTolerations(), List.of()));
        tolerations.add(new Toleration(Scheduling.NO_EXECUTE, Scheduling.NOT_READY_TAINT, "Exists", null, null));
        tolerations.add(new Toleration(Scheduling.NO_EXECUTE, "node.kubernetes.io/unreachable", "Exists", null, null));
        for (String key : List.of("node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
                "node.kubernetes.io/pid-pressure", Scheduling.UNSCHEDULABLE_TAINT)) {
            tolerations.add(new Toleration(Scheduling.NO_SCHEDULE, key, "Exists", null, null));
        }
        if (hostNetwork()) {
            tolerations.add(new Toleration(Scheduling.NO_SCHEDULE, "node.kubernetes.io/network-unavailable", "Exists",
                    null, null));
        }
        return tolerations;
    }

    String serviceAccount() {
        String account = spec.getServiceAccountName() != null ? spec.getServiceAccountName()
                : spec.getServiceAccount();
        return account == null || account.isEmpty() ? "default" : account;
    }

    /** Whether the pod says whether to mount its account's token; null leaves it to the account. */
    Boolean automountServiceAccountToken() {
        return spec.getAutomountServiceAccountToken();
    }

    Optional<String> priorityClass() {
        return Optional.ofNullable(spec.getPriorityClassName()).filter(name -> !name.isEmpty());
    }

    List<Reference> references() {
        return references;
    }

    /** Each container's command line: command then args. */
    List<List<String>> commandLines() {
        List<List<String>> lines = new ArrayList<>();
        for (Container container : Objects.requireNonNullElse(spec.getContainers(), List.<Container>of())) {
            List<String> line = new ArrayList<>(Objects.requireNonNullElse(container.getCommand(), List.of()));
            line.addAll(Objects.requireNonNullElse(container.getArgs(), List.of()));
            lines.add(line);
        }
        return lines;
    }

    /** Whether a volume mounts this host path (or a directory under it). */
    boolean mountsHostPath(String path) {
        for (Volume volume : Objects.requireNonNullElse(spec.getVolumes(), List.<Volume>of())) {
            if (volume.getHostPath() != null && volume.getHostPath().getPath() != null) {
                String mounted = volume.getHostPath().getPath().replaceAll("/+$", "");
                if (mounted.equals(path) || mounted.startsWith(path + "/")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<Reference> references(PodSpec spec) {
        List<Reference> references = new ArrayList<>();
        for (Volume volume : Objects.requireNonNullElse(spec.getVolumes(), List.<Volume>of())) {
            if (volume.getSecret() != null) {
                add(references, "Secret", volume.getSecret().getSecretName(), volume.getSecret().getItems(),
                        volume.getSecret().getOptional());
            }
            if (volume.getConfigMap() != null) {
                add(references, "ConfigMap", volume.getConfigMap().getName(), volume.getConfigMap().getItems(),
                        volume.getConfigMap().getOptional());
            }
            if (volume.getProjected() != null) {
                for (VolumeProjection source : Objects.requireNonNullElse(volume.getProjected().getSources(),
                        List.<VolumeProjection>of())) {
                    if (source.getSecret() != null) {
                        add(references, "Secret", source.getSecret().getName(), source.getSecret().getItems(),
                                source.getSecret().getOptional());
                    }
                    if (source.getConfigMap() != null) {
                        add(references, "ConfigMap", source.getConfigMap().getName(),
                                source.getConfigMap().getItems(), source.getConfigMap().getOptional());
                    }
                }
            }
        }
        List<Container> containers = new ArrayList<>(Objects.requireNonNullElse(spec.getContainers(), List.of()));
        containers.addAll(Objects.requireNonNullElse(spec.getInitContainers(), List.of()));
        for (Container container : containers) {
            for (EnvFromSource source : Objects.requireNonNullElse(container.getEnvFrom(), List.<EnvFromSource>of())) {
                if (source.getSecretRef() != null) {
                    references.add(new Reference("Secret", source.getSecretRef().getName(), null,
                            Boolean.TRUE.equals(source.getSecretRef().getOptional())));
                }
                if (source.getConfigMapRef() != null) {
                    references.add(new Reference("ConfigMap", source.getConfigMapRef().getName(), null,
                            Boolean.TRUE.equals(source.getConfigMapRef().getOptional())));
                }
            }
            for (EnvVar env : Objects.requireNonNullElse(container.getEnv(), List.<EnvVar>of())) {
                if (env.getValueFrom() == null) {
                    continue;
                }
                SecretKeySelector secret = env.getValueFrom().getSecretKeyRef();
                if (secret != null) {
                    references.add(new Reference("Secret", secret.getName(), secret.getKey(),
                            Boolean.TRUE.equals(secret.getOptional())));
                }
                ConfigMapKeySelector configMap = env.getValueFrom().getConfigMapKeyRef();
                if (configMap != null) {
                    references.add(new Reference("ConfigMap", configMap.getName(), configMap.getKey(),
                            Boolean.TRUE.equals(configMap.getOptional())));
                }
            }
        }
        return List.copyOf(references);
    }

    private static void add(List<Reference> references, String kind, String name, List<KeyToPath> items,
                            Boolean optional) {
        boolean isOptional = Boolean.TRUE.equals(optional);
        if (items == null || items.isEmpty()) {
            references.add(new Reference(kind, name, null, isOptional));
        } else {
            items.forEach(item -> references.add(new Reference(kind, name, item.getKey(), isOptional)));
        }
    }
}
