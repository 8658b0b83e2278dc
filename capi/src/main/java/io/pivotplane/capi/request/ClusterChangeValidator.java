package io.pivotplane.capi.request;

import io.pivotplane.capi.request.ClusterRequestInput.ControlPlaneInput;
import io.pivotplane.capi.request.ClusterRequestInput.HealthCheckInput;
import io.pivotplane.capi.request.ClusterRequestInput.InfrastructureInput;
import io.pivotplane.capi.request.ClusterRequestInput.WorkerPoolInput;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.WorkerPool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides a change to a running cluster: the changed spec must be a valid request on its own, and the change one
 * that Cluster API rolls in place. A Kubernetes version goes up one minor at a time, never down (KCP's and the
 * MachineDeployment's own rules: kubeadm upgrades one minor per step, and no version is downgraded). Machines of the
 * control plane and of existing pools may change (a merge of the fields given into the machine as it is): the agent
 * rolls them to a new machine template, since templates are immutable. A machine image is built for one Kubernetes
 * version, so an upgrade of a cluster whose machines name their image must name the new images in the same change.
 */
public final class ClusterChangeValidator {

    /** The message of a change that changes nothing. */
    public static final String NOTHING_CHANGED = "changes nothing: the cluster already has this spec";
    private static final Pattern VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+).*");

    private final ClusterRequestValidator requests;

    public ClusterChangeValidator(ClusterRequestValidator requests) {
        this.requests = requests;
    }

    /** A change accepted, with the changes it makes in words ({@code pool workers: 3 → 5 machines}). */
    public record Accepted(ClusterSpec spec, List<String> changes) {

        public String summary() {
            return String.join("; ", changes);
        }
    }

    /**
     * @throws InvalidClusterRequestException naming every field that is wrong, or {@code ""} when nothing changes
     */
    public Accepted validate(ClusterSpec current, ClusterChangeInput change) {
        if (change == null) {
            throw new InvalidClusterRequestException(List.of(new Violation("", "a change body is required")));
        }
        ClusterRequestInput input = merged(current, change);
        List<Violation> violations = new ArrayList<>();
        checkVersionStep(violations, current.kubernetesVersion(), input.kubernetesVersion());
        if (!current.kubernetesVersion().equals(input.kubernetesVersion())) {
            checkImagesFollow(violations, current, input);
        }
        ClusterSpec changed;
        try {
            changed = requests.validateWithProfile(input, current.profile());
        } catch (InvalidClusterRequestException e) {
            violations.addAll(0, e.violations());
            throw new InvalidClusterRequestException(violations);
        }
        if (!violations.isEmpty()) {
            throw new InvalidClusterRequestException(violations);
        }
        List<String> changes = describe(current, changed);
        if (changes.isEmpty()) {
            throw new InvalidClusterRequestException(List.of(new Violation("", NOTHING_CHANGED)));
        }
        return new Accepted(changed, changes);
    }

    private static ClusterRequestInput merged(ClusterSpec current, ClusterChangeInput change) {
        ControlPlaneInput controlPlane = change.controlPlane() == null
                ? new ControlPlaneInput(current.controlPlane().replicas(), current.controlPlane().machine())
                : new ControlPlaneInput(change.controlPlane().replicas() == null ? current.controlPlane().replicas()
                : change.controlPlane().replicas(), mergedMachine(current.controlPlane().machine(),
                change.controlPlane().machine()));
        Map<String, WorkerPool> before = byName(current.workerPools());
        List<WorkerPoolInput> pools = change.workerPools() == null
                ? current.workerPools().stream().map(p -> new WorkerPoolInput(p.name(), p.replicas(), p.machine()))
                .toList()
                : change.workerPools().stream().map(p -> p == null || !before.containsKey(p.name()) ? p
                        : new WorkerPoolInput(p.name(), p.replicas(),
                        mergedMachine(before.get(p.name()).machine(), p.machine())))
                .toList();
        HealthCheckInput healthCheck = change.healthCheck() == null
                ? new HealthCheckInput(current.healthCheck().unhealthyAfter(),
                current.healthCheck().nodeStartupTimeout(), current.healthCheck().maxUnhealthy())
                : change.healthCheck();
        return new ClusterRequestInput(current.name(), current.project(),
                new InfrastructureInput(current.infrastructure().provider(), current.infrastructure().credentialsRef(),
                        current.infrastructure().parameters()),
                change.kubernetesVersion() == null ? current.kubernetesVersion() : change.kubernetesVersion(),
                controlPlane, pools, current.sshAuthorizedKeys(), null, healthCheck);
    }

    /** A machine as a merge patch leaves it: the fields given replace those there, a null removes one. */
    private static Map<String, Object> mergedMachine(Map<String, Object> current, Map<String, Object> given) {
        if (given == null) {
            return current;
        }
        Map<String, Object> merged = new LinkedHashMap<>(current);
        given.forEach((field, value) -> {
            if (value == null) {
                merged.remove(field);
            } else {
                merged.put(field, value);
            }
        });
        return merged;
    }

    /**
     * Machine fields that name a machine image, which is built for one Kubernetes version (image-builder's images
     * carry its kubelet): GCP's and MAAS's {@code image}, AWS's {@code amiId}. Where none is named the provider looks
     * the image up by the machine's version (CAPA's AMI lookup, CAPG's image family, CAPZ's reference images).
     */
    private static final Map<String, String> IMAGE_FIELDS = Map.of("gcp", "image", "maas", "image", "aws", "amiId");

    private static void checkImagesFollow(List<Violation> violations, ClusterSpec current,
                                          ClusterRequestInput changed) {
        String provider = current.infrastructure().provider();
        if (Provider.VSPHERE.id().equals(provider)) {
            violations.add(new Violation("kubernetesVersion", "a vSphere cluster's machines are cloned from its"
                    + " template '" + current.infrastructure().parameters().get("template") + "', built for "
                    + current.kubernetesVersion() + ", which a change cannot name yet: the cluster cannot be"
                    + " upgraded in place"));
            return;
        }
        String field = IMAGE_FIELDS.get(provider);
        if (field == null) {
            return;
        }
        checkImageFollows(violations, "controlPlane.machine." + field, current.controlPlane().machine(),
                changed.controlPlane().machine(), field, changed.kubernetesVersion());
        Map<String, WorkerPool> before = byName(current.workerPools());
        List<WorkerPoolInput> pools = changed.workerPools() == null ? List.of() : changed.workerPools();
        for (int i = 0; i < pools.size(); i++) {
            WorkerPoolInput pool = pools.get(i);
            WorkerPool old = pool == null ? null : before.get(pool.name());
            if (old != null) {
                checkImageFollows(violations, "workerPools[" + i + "].machine." + field, old.machine(),
                        pool.machine(), field, changed.kubernetesVersion());
            }
        }
    }

    private static void checkImageFollows(List<Violation> violations, String path, Map<String, Object> before,
                                          Map<String, Object> after, String field, String version) {
        Object image = after == null ? null : after.get(field);
        if (image != null && image.equals(before.get(field))) {
            violations.add(new Violation(path, "'" + image + "' is built for the Kubernetes the cluster runs now:"
                    + " an upgrade to " + version + " names an image built for it in the same change (or removes "
                    + field + ", for the provider to look one up by version)"));
        }
    }

    private static void checkVersionStep(List<Violation> violations, String from, String to) {
        Optional<int[]> before = parse(from);
        Optional<int[]> after = parse(to);
        if (before.isEmpty() || after.isEmpty() || from.equals(to)) {
            return;
        }
        int[] a = before.get();
        int[] b = after.get();
        int order = compare(a, b);
        if (order > 0) {
            violations.add(new Violation("kubernetesVersion", "cannot go down from " + from + " to " + to));
        } else if (a[0] != b[0] || b[1] > a[1] + 1) {
            violations.add(new Violation("kubernetesVersion", "can go up one minor version at a time: from " + from
                    + " to v" + a[0] + "." + (a[1] + 1) + ".x at most, not " + to));
        }
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    private static Optional<int[]> parse(String version) {
        Matcher matcher = VERSION.matcher(version == null ? "" : version);
        return matcher.matches() ? Optional.of(new int[] {Integer.parseInt(matcher.group(1)),
                Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3))}) : Optional.empty();
    }

    /** The changes from {@code current} to {@code changed}, in words, control plane first as they are rolled. */
    public static List<String> describe(ClusterSpec current, ClusterSpec changed) {
        List<String> changes = new ArrayList<>();
        if (!current.kubernetesVersion().equals(changed.kubernetesVersion())) {
            changes.add("Kubernetes " + current.kubernetesVersion() + " → " + changed.kubernetesVersion());
        }
        if (!Objects.equals(current.controlPlane().replicas(), changed.controlPlane().replicas())) {
            changes.add("control plane: " + current.controlPlane().replicas() + " → "
                    + changed.controlPlane().replicas() + " machines");
        }
        machineChange(current.controlPlane().machine(), changed.controlPlane().machine())
                .ifPresent(change -> changes.add("control-plane machines: " + change));
        Map<String, WorkerPool> before = byName(current.workerPools());
        Map<String, WorkerPool> after = byName(changed.workerPools());
        for (WorkerPool pool : changed.workerPools()) {
            WorkerPool old = before.get(pool.name());
            if (old == null) {
                changes.add("pool " + pool.name() + " added with " + pool.replicas() + " machines");
            } else {
                if (!Objects.equals(old.replicas(), pool.replicas())) {
                    changes.add("pool " + pool.name() + ": " + old.replicas() + " → " + pool.replicas() + " machines");
                }
                machineChange(old.machine(), pool.machine())
                        .ifPresent(change -> changes.add("pool " + pool.name() + " machines: " + change));
            }
        }
        current.workerPools().stream().filter(p -> !after.containsKey(p.name()))
                .forEach(p -> changes.add("pool " + p.name() + " removed"));
        if (!current.healthCheck().equals(changed.healthCheck())) {
            changes.add("health checks: unhealthy after " + changed.healthCheck().unhealthyAfter()
                    + ", node startup timeout " + changed.healthCheck().nodeStartupTimeout() + ", at most "
                    + changed.healthCheck().maxUnhealthy() + " unhealthy");
        }
        return changes;
    }

    /** What changed in a machine, field by field ({@code image a → b}), or empty when nothing did. */
    private static Optional<String> machineChange(Map<String, Object> before, Map<String, Object> after) {
        java.util.TreeSet<String> fields = new java.util.TreeSet<>(before.keySet());
        fields.addAll(after.keySet());
        List<String> changed = fields.stream().filter(f -> !Objects.equals(before.get(f), after.get(f)))
                .map(f -> f + " " + (before.get(f) == null ? "(none)" : before.get(f)) + " → "
                        + (after.get(f) == null ? "(none)" : after.get(f)))
                .toList();
        return changed.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", changed));
    }

    private static Map<String, WorkerPool> byName(List<WorkerPool> pools) {
        return pools.stream().collect(Collectors.toMap(WorkerPool::name, Function.identity(), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }
}
