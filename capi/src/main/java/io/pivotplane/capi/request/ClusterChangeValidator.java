package io.pivotplane.capi.request;

import io.pivotplane.capi.request.ClusterRequestInput.ControlPlaneInput;
import io.pivotplane.capi.request.ClusterRequestInput.HealthCheckInput;
import io.pivotplane.capi.request.ClusterRequestInput.InfrastructureInput;
import io.pivotplane.capi.request.ClusterRequestInput.WorkerPoolInput;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.WorkerPool;
import java.util.ArrayList;
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
 * MachineDeployment's own rules: kubeadm upgrades one minor per step, and no version is downgraded); machines of the
 * control plane and of existing pools keep their machine type, since a machine template is immutable and pivotplane
 * does not yet roll a pool to a new template (a pool with other machines is a new pool, the old one removed).
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
        ClusterSpec changed = requests.validateWithProfile(merged(current, change), current.profile());
        List<Violation> violations = new ArrayList<>();
        checkVersionStep(violations, current.kubernetesVersion(), changed.kubernetesVersion());
        if (!Objects.equals(current.controlPlane().machine(), changed.controlPlane().machine())) {
            violations.add(new Violation("controlPlane.machine", "cannot change in a running cluster"));
        }
        Map<String, WorkerPool> before = byName(current.workerPools());
        for (int i = 0; i < changed.workerPools().size(); i++) {
            WorkerPool pool = changed.workerPools().get(i);
            WorkerPool old = before.get(pool.name());
            if (old != null && !Objects.equals(old.machine(), pool.machine())) {
                violations.add(new Violation("workerPools[" + i + "].machine", "of existing pool '" + pool.name()
                        + "' cannot change: add a pool with the new machines and remove this one"));
            }
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
                : change.controlPlane().replicas(), change.controlPlane().machine() == null
                ? current.controlPlane().machine() : change.controlPlane().machine());
        Map<String, WorkerPool> before = byName(current.workerPools());
        List<WorkerPoolInput> pools = change.workerPools() == null
                ? current.workerPools().stream().map(p -> new WorkerPoolInput(p.name(), p.replicas(), p.machine()))
                .toList()
                : change.workerPools().stream().map(p -> p == null || p.machine() != null || !before.containsKey(p.name())
                        ? p : new WorkerPoolInput(p.name(), p.replicas(), before.get(p.name()).machine()))
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
        Map<String, WorkerPool> before = byName(current.workerPools());
        Map<String, WorkerPool> after = byName(changed.workerPools());
        for (WorkerPool pool : changed.workerPools()) {
            WorkerPool old = before.get(pool.name());
            if (old == null) {
                changes.add("pool " + pool.name() + " added with " + pool.replicas() + " machines");
            } else if (!Objects.equals(old.replicas(), pool.replicas())) {
                changes.add("pool " + pool.name() + ": " + old.replicas() + " → " + pool.replicas() + " machines");
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

    private static Map<String, WorkerPool> byName(List<WorkerPool> pools) {
        return pools.stream().collect(Collectors.toMap(WorkerPool::name, Function.identity(), (a, b) -> a,
                java.util.LinkedHashMap::new));
    }
}
