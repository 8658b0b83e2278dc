package io.pivotplane.pivot.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * clusterctl's {@code checkTargetProviders} (cmd/clusterctl/client/cluster/mover.go): every provider of the source
 * must run in the target, at the same version or a newer one, or the target could not reconcile what moves there.
 * clusterctl asks it of every provider in the source; a management cluster that serves five infrastructures would
 * then require all five in each workload cluster, so pivotplane asks it of the providers the moving cluster uses:
 * the core, its bootstrap and control-plane providers, and its infrastructure provider.
 */
public final class TargetProviders {

    private static final Pattern SEMANTIC = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z.-]+))?(?:\\+.*)?");

    private TargetProviders() {
    }

    /** The providers a cluster of that infrastructure needs, by name and type. */
    public static Predicate<InstalledProvider> usedBy(String infrastructureProvider) {
        return provider -> switch (provider.type()) {
            case InstalledProvider.CORE -> "cluster-api".equals(provider.name());
            case InstalledProvider.BOOTSTRAP, InstalledProvider.CONTROL_PLANE -> "kubeadm".equals(provider.name());
            case InstalledProvider.INFRASTRUCTURE -> infrastructureProvider.equals(provider.name());
            default -> false;
        };
    }

    /** @return one line per problem, as clusterctl words them; empty when the target may take the objects */
    public static List<String> check(Collection<InstalledProvider> source, Collection<InstalledProvider> target,
                                     Predicate<InstalledProvider> used) {
        List<String> problems = new ArrayList<>();
        for (InstalledProvider wanted : source.stream().filter(used).toList()) {
            Optional<Version> sourceVersion = Version.parse(wanted.version());
            if (sourceVersion.isEmpty()) {
                problems.add("unable to parse version " + wanted.version() + " of provider " + wanted.name()
                        + " in the source cluster");
                continue;
            }
            Version newest = null;
            for (InstalledProvider candidate : target) {
                if (!wanted.sameAs(candidate)) {
                    continue;
                }
                Optional<Version> version = Version.parse(candidate.version());
                if (version.isEmpty()) {
                    problems.add("unable to parse version " + candidate.version() + " of provider "
                            + candidate.name() + " in the target cluster");
                } else if (newest == null || newest.compareTo(version.get()) < 0) {
                    newest = version.get();
                }
            }
            if (newest == null) {
                problems.add("provider " + wanted.name() + " (" + wanted.type() + ") not found in the target cluster");
            } else if (newest.compareTo(sourceVersion.get()) < 0) {
                problems.add("provider " + wanted.name() + " in the target cluster is older than in the source cluster"
                        + " (source: " + wanted.version() + ", target: " + newest + ")");
            }
        }
        return problems;
    }

    /** A semantic version as Kubernetes' {@code version.ParseSemantic} reads one; a pre-release sorts first. */
    record Version(int major, int minor, int patch, String preRelease) implements Comparable<Version> {

        static Optional<Version> parse(String text) {
            Matcher matcher = text == null ? null : SEMANTIC.matcher(text.strip());
            if (matcher == null || !matcher.matches()) {
                return Optional.empty();
            }
            return Optional.of(new Version(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
                    Integer.parseInt(matcher.group(3)), matcher.group(4)));
        }

        @Override
        public int compareTo(Version other) {
            int result = Integer.compare(major, other.major);
            if (result == 0) {
                result = Integer.compare(minor, other.minor);
            }
            if (result == 0) {
                result = Integer.compare(patch, other.patch);
            }
            if (result == 0 && (preRelease == null) != (other.preRelease == null)) {
                result = preRelease == null ? 1 : -1;
            }
            if (result == 0 && preRelease != null) {
                result = preRelease.compareTo(other.preRelease);
            }
            return result;
        }

        @Override
        public String toString() {
            return "v" + major + "." + minor + "." + patch + (preRelease == null ? "" : "-" + preRelease);
        }
    }
}
