package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a control-plane Machine is up to date with its KubeadmControlPlane, as KCP's {@code UpToDate}
 * ({@code controlplane/kubeadm/internal/filters.go}, v1.9) decides: its certificates do not expire within
 * {@code rolloutBefore.certificatesExpiryDays}, it was not created before a passed {@code rolloutAfter}, it has the
 * KCP's version, the ClusterConfiguration it was made with (its annotation) is the KCP's but for DNS, its
 * KubeadmConfig's init or join configuration and the rest of its spec are the KCP's (join discovery aside), and its
 * infrastructure machine was cloned from the KCP's template. What cannot be found (a KubeadmConfig, an infrastructure
 * machine, an annotation) does not make a machine outdated. The Go structs the comparisons run on treat a missing
 * field and its empty value alike; so do these, on the objects' maps.
 */
final class ControlPlaneMachineUpToDate {

    private ControlPlaneMachineUpToDate() {
    }

    /** Why the machine is outdated; empty when it is up to date. */
    static List<String> outdated(GenericKubernetesResource kcp, GenericKubernetesResource machine,
                                 GenericKubernetesResource infraMachine, GenericKubernetesResource kubeadmConfig,
                                 Instant now) {
        List<String> reasons = new ArrayList<>();
        Optional<Object> expiryDays = ObjectMaps.at(kcp, "spec", "rolloutBefore", "certificatesExpiryDays")
                .filter(Number.class::isInstance);
        Optional<String> expiry = ObjectMaps.string(machine, "status", "certificatesExpiryDate");
        if (expiryDays.isPresent() && expiry.isPresent() && now.plus(Duration.ofDays(((Number) expiryDays.get())
                .longValue())).isAfter(Instant.parse(expiry.get()))) {
            reasons.add("certificates will expire soon, rolloutBefore expired");
        }
        Optional<Instant> rolloutAfter = ObjectMaps.string(kcp, "spec", "rolloutAfter").map(Instant::parse);
        String created = machine.getMetadata().getCreationTimestamp();
        if (rolloutAfter.isPresent() && created != null && Instant.parse(created).isBefore(rolloutAfter.get())
                && rolloutAfter.get().isBefore(now)) {
            reasons.add("rolloutAfter expired");
        }
        String version = ObjectMaps.string(kcp, "spec", "version").orElse("");
        Optional<String> machineVersion = ObjectMaps.string(machine, "spec", "version");
        if (!machineVersion.map(version::equals).orElse(false)) {
            reasons.add("Machine version \"" + machineVersion.orElse("") + "\" is not equal to KCP version \""
                    + version + "\"");
        }
        clusterConfigurationOutdated(kcp, machine).ifPresent(reasons::add);
        if (ObjectMaps.at(machine, "spec", "bootstrap", "configRef").isPresent()) {
            initOrJoinOutdated(kcp, kubeadmConfig).ifPresent(reasons::add);
        }
        templateRotated(kcp, infraMachine).ifPresent(reasons::add);
        return reasons;
    }

    /** matchClusterConfiguration: the annotation the machine was created with, DNS aside (updated in place). */
    private static Optional<String> clusterConfigurationOutdated(GenericKubernetesResource kcp,
                                                                 GenericKubernetesResource machine) {
        String annotation = Api.annotations(machine).get(KubeadmControlPlaneController.CLUSTER_CONFIGURATION_ANNOTATION);
        if (annotation == null) {
            return Optional.empty();
        }
        Map<String, Object> machineConfiguration;
        try {
            Object parsed = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().readValue(annotation,
                    Object.class);
            if (parsed != null && !(parsed instanceof Map)) {
                return Optional.of("Machine KubeadmConfig ClusterConfiguration is outdated: diff: ");
            }
            machineConfiguration = new LinkedHashMap<>(Api.normalized(parsed));
        } catch (java.io.IOException e) {
            // an annotation that does not parse can only be mended by a rollout
            return Optional.of("Machine KubeadmConfig ClusterConfiguration is outdated: diff: ");
        }
        Map<String, Object> desired = Api.normalized(ObjectMaps.at(kcp, "spec", "kubeadmConfigSpec",
                "clusterConfiguration").orElse(null));
        machineConfiguration.remove("dns");
        if (desired.get("dns") != null) {
            machineConfiguration.put("dns", desired.get("dns"));
        }
        return difference(machineConfiguration, desired)
                .map(diff -> "Machine KubeadmConfig ClusterConfiguration is outdated: diff: " + diff);
    }

    /**
     * matchInitOrJoinConfiguration: the KubeadmConfig's spec against the KCP's, both defaulted, without the
     * ClusterConfiguration, with what CABPK adds to a join configuration (discovery, an empty controlPlane) left out.
     */
    private static Optional<String> initOrJoinOutdated(GenericKubernetesResource kcp,
                                                       GenericKubernetesResource kubeadmConfig) {
        if (kubeadmConfig == null) {
            return Optional.empty();
        }
        Map<String, Object> desired = new LinkedHashMap<>(Api.normalized(ObjectMaps.at(kcp, "spec",
                "kubeadmConfigSpec").orElse(null)));
        Map<String, Object> actual = new LinkedHashMap<>(Api.normalized(kubeadmConfig.getAdditionalProperties()
                .get("spec")));
        if (actual.get("joinConfiguration") == null) {
            desired.remove("joinConfiguration");
        }
        if (actual.get("initConfiguration") == null) {
            desired.remove("initConfiguration");
        }
        defaults(desired);
        defaults(actual);
        desired.remove("clusterConfiguration");
        actual.remove("clusterConfiguration");
        if (desired.get("joinConfiguration") == null) {
            actual.remove("joinConfiguration");
        }
        Map<String, Object> desiredJoin = child(desired, "joinConfiguration");
        Map<String, Object> actualJoin = child(actual, "joinConfiguration");
        if (desiredJoin != null) {
            desiredJoin.remove("discovery");
        }
        if (actualJoin != null) {
            actualJoin.remove("discovery");
            if (desiredJoin != null && desiredJoin.get("controlPlane") == null) {
                actualJoin.remove("controlPlane");
            }
            if (desiredJoin != null && pruned(desiredJoin.get("nodeRegistration")) == null) {
                actualJoin.remove("nodeRegistration");
            }
        }
        for (String configuration : List.of("initConfiguration", "joinConfiguration")) {
            for (Map<String, Object> spec : List.of(desired, actual)) {
                Map<String, Object> typed = child(spec, configuration);
                if (typed != null) {
                    typed.remove("apiVersion");
                    typed.remove("kind");
                }
            }
        }
        return difference(actual, desired)
                .map(diff -> "Machine KubeadmConfig InitConfiguration or JoinConfiguration are outdated: diff: " + diff);
    }

    /** KubeadmConfigSpec.Default. */
    private static void defaults(Map<String, Object> spec) {
        if (Objects.toString(spec.get("format"), "").isEmpty()) {
            spec.put("format", "cloud-config");
        }
        for (String configuration : List.of("initConfiguration", "joinConfiguration")) {
            Map<String, Object> typed = child(spec, configuration);
            if (typed == null) {
                continue;
            }
            Map<String, Object> registration = new LinkedHashMap<>(Api.normalized(typed.get("nodeRegistration")));
            if (Objects.toString(registration.get("imagePullPolicy"), "").isEmpty()) {
                registration.put("imagePullPolicy", "IfNotPresent");
            }
            typed.put("nodeRegistration", registration);
        }
    }

    /** The map under {@code key}, copied into {@code parent} so that it can be changed; null when there is none. */
    private static Map<String, Object> child(Map<String, Object> parent, String key) {
        if (!(parent.get(key) instanceof Map<?, ?>)) {
            return null;
        }
        Map<String, Object> copy = new LinkedHashMap<>(Api.normalized(parent.get(key)));
        parent.put(key, copy);
        return copy;
    }

    /** matchesTemplateClonedFrom: the infrastructure machine's cloned-from annotations name the KCP's template. */
    private static Optional<String> templateRotated(GenericKubernetesResource kcp, GenericKubernetesResource infra) {
        if (infra == null) {
            return Optional.empty();
        }
        String clonedFrom = Api.annotations(infra).get(Templates.CLONED_FROM_NAME);
        String clonedFromGroupKind = Api.annotations(infra).get(Templates.CLONED_FROM_GROUP_KIND);
        if (clonedFrom == null || clonedFromGroupKind == null) {
            return Optional.empty();
        }
        String name = ObjectMaps.string(kcp, "spec", "machineTemplate", "infrastructureRef", "name").orElse("");
        String kind = ObjectMaps.string(kcp, "spec", "machineTemplate", "infrastructureRef", "kind").orElse("");
        String apiVersion = ObjectMaps.string(kcp, "spec", "machineTemplate", "infrastructureRef", "apiVersion")
                .orElse("");
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String groupKind = group.isEmpty() ? kind : kind + "." + group;
        if (clonedFrom.equals(name) && clonedFromGroupKind.equals(groupKind)) {
            return Optional.empty();
        }
        return Optional.of("Infrastructure template on KCP rotated from " + clonedFromGroupKind + " " + clonedFrom
                + " to " + groupKind + " " + name);
    }

    /** The fields in which two specs differ, as their Go structs would; empty when they are the same. */
    static Optional<String> difference(Map<String, Object> actual, Map<String, Object> desired) {
        Map<String, Object> a = Objects.requireNonNullElse(asMap(pruned(actual)), Map.of());
        Map<String, Object> d = Objects.requireNonNullElse(asMap(pruned(desired)), Map.of());
        if (a.equals(d)) {
            return Optional.empty();
        }
        List<String> fields = new ArrayList<>();
        for (String key : new java.util.TreeSet<>(java.util.stream.Stream.concat(a.keySet().stream(),
                d.keySet().stream()).toList())) {
            if (!Objects.equals(a.get(key), d.get(key))) {
                fields.add(key);
            }
        }
        return Optional.of(String.join(", ", fields));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return (Map<String, Object>) value;
    }

    /** The value without nulls, empty strings, maps and lists: what a Go struct reads as its zero value. */
    static Object pruned(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> kept = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                Object p = pruned(v);
                if (p != null) {
                    kept.put(String.valueOf(k), p);
                }
            });
            return kept.isEmpty() ? null : kept;
        }
        if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                return null;
            }
            List<Object> kept = new ArrayList<>();
            list.forEach(item -> kept.add(pruned(item)));
            return kept;
        }
        return "".equals(value) ? null : value;
    }
}
