package io.pivotplane.capi.request;

import io.pivotplane.capi.GoDuration;
import io.pivotplane.capi.bootstrap.CloudControllerManagers;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.ControlPlane;
import io.pivotplane.events.model.HealthCheck;
import io.pivotplane.events.model.Infrastructure;
import io.pivotplane.events.model.Profile;
import io.pivotplane.events.model.WorkerPool;
import io.pivotplane.capi.request.ClusterRequestInput.AddonInput;
import io.pivotplane.capi.request.ClusterRequestInput.ControlPlaneInput;
import io.pivotplane.capi.request.ClusterRequestInput.HealthCheckInput;
import io.pivotplane.capi.request.ClusterRequestInput.InfrastructureInput;
import io.pivotplane.capi.request.ClusterRequestInput.ProfileInput;
import io.pivotplane.capi.request.ClusterRequestInput.WorkerPoolInput;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a cluster request against the rules Cluster API and its providers would enforce later (names, version
 * format, odd control-plane replicas with stacked etcd, the provider's required parameters), so that a request
 * Cluster API would reject is refused at the door with every offending field named.
 */
public final class ClusterRequestValidator {

    /** Kubernetes object names and namespaces: a DNS-1123 label. */
    static final int MAX_NAME_LENGTH = 63;
    /** etcd's own advice: more members than seven make writes slower and the cluster no safer. */
    static final int MAX_CONTROL_PLANE_REPLICAS = 7;
    /** Kubernetes' tested limit of nodes in one cluster (kubernetes.io, "Considerations for large clusters"). */
    static final int MAX_NODES = 5000;
    /** The manifests of a profile, all told: every event that carries the spec must stay under Kafka's 1 MiB. */
    public static final int MAX_PROFILE_MANIFEST_BYTES = 768 * 1024;
    private static final Set<String> RESERVED_PROJECTS = Set.of("default", "cert-manager", "pivotplane");
    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** Semantic version with the leading {@code v} that Cluster API requires, e.g. {@code v1.30.5}. */
    /**
     * The Kubernetes minors Cluster API v1.9 supports for a management cluster (its release notes: v1.28.x to
     * v1.32.x; a workload cluster may go down to v1.26): every pivoted cluster is its own management cluster.
     */
    static final int OLDEST_MINOR = 28;
    static final int NEWEST_MINOR = 32;
    static final String CAPI_RELEASE = "v1.9";
    private static final Pattern KUBERNETES_VERSION = Pattern.compile(
            "v(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?");
    /** SemVer 2, as Helm requires of a chart's version. */
    private static final Pattern CHART_VERSION = Pattern.compile(
            "v?\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
    private static final int MAX_PRIORITY = 1000;
    private static final int MAX_READY_TIMEOUT_SECONDS = 3600;
    private static final com.fasterxml.jackson.databind.ObjectMapper VALUES_YAML =
            new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,18}");
    private static final Pattern MAX_UNHEALTHY = Pattern.compile("([0-9]+)(%)?");
    private static final Pattern SSH_PUBLIC_KEY = Pattern.compile(
            "(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com)"
                    + " [A-Za-z0-9+/]+={0,3}( .*)?");

    public ClusterSpec validate(ClusterRequestInput input) {
        return validate(input, ProfileCheck.ALL);
    }

    /** What of a request's profile is validated here. */
    private enum ProfileCheck {
        ALL,
        /** a stored profile is resolved and validated later, by whoever has the store */
        ALL_BUT_STORED,
        /** the profile is a running cluster's, validated when it was asked for */
        NONE
    }

    /** Validates a running cluster's spec changed in what its profile is not: the profile stays {@code profile}. */
    ClusterSpec validateWithProfile(ClusterRequestInput input, io.pivotplane.events.model.Profile profile) {
        return validate(input, ProfileCheck.NONE).withProfile(profile);
    }

    /**
     * Validates a request as {@link #validate} does, but a profile it names from the store (name and version, no
     * add-ons) is taken as it is: for a client that has no store to look in. The server resolves it and validates the
     * add-ons it gets.
     *
     * @return the spec, whose profile has no add-ons when it names a stored one
     */
    public ClusterSpec validateAllButStoredProfile(ClusterRequestInput input) {
        return validate(input, ProfileCheck.ALL_BUT_STORED);
    }

    private ClusterSpec validate(ClusterRequestInput input, ProfileCheck profileCheck) {
        if (input == null) {
            throw new InvalidClusterRequestException(List.of(new Violation("", "a cluster request body is required")));
        }
        List<Violation> violations = new ArrayList<>();
        checkProject(violations, input.project());
        Optional<Provider> provider = checkInfrastructure(violations, input.infrastructure());
        checkClusterName(violations, provider, input.name());
        checkVersion(violations, input.kubernetesVersion());
        checkCloudControllerManager(violations, provider, input.kubernetesVersion());
        checkControlPlane(violations, provider, input.controlPlane());
        checkWorkerPools(violations, provider, input.name(), input.workerPools());
        checkSshKeys(violations, input.sshAuthorizedKeys());
        checkHealthCheck(violations, input.healthCheck());
        boolean storedProfile = input.profile() != null && input.profile().refersToStoredProfile()
                && input.profile().version() != null;
        if (profileCheck == ProfileCheck.ALL || (profileCheck == ProfileCheck.ALL_BUT_STORED && !storedProfile)) {
            checkProfile(violations, "profile.addons", input.profile() == null ? null : input.profile().addons());
        }
        if (profileCheck != ProfileCheck.NONE) {
            checkProfileReference(violations, input.profile());
        }
        if (!violations.isEmpty()) {
            throw new InvalidClusterRequestException(violations);
        }
        return toSpec(input, provider.orElseThrow());
    }

    /**
     * A project's clusters live in the management namespace named after it, so a project may not be named as a
     * namespace the platform owns: Kubernetes' own ({@code default}, {@code kube-*}), the providers'
     * ({@code *-system}, as clusterctl installs them), cert-manager's and pivotplane's.
     */
    private static void checkProject(List<Violation> violations, String project) {
        checkLabel(violations, "project", project);
        if (project != null && (RESERVED_PROJECTS.contains(project) || project.startsWith("kube-")
                || project.endsWith("-system"))) {
            violations.add(new Violation("project", "'" + project + "' names a namespace of the management cluster"
                    + " that Kubernetes, a provider or pivotplane owns ('default', 'kube-*', '*-system',"
                    + " 'cert-manager', 'pivotplane'): choose another project name"));
        }
    }

    /** The cluster's name, within the length its provider leaves once it derives other names from it. */
    private static void checkClusterName(List<Violation> violations, Optional<Provider> provider, String name) {
        int maxLength = provider.map(Provider::maxClusterNameLength).orElse(MAX_NAME_LENGTH);
        if (name != null && name.length() > maxLength && maxLength < MAX_NAME_LENGTH) {
            violations.add(new Violation("name", "must be at most " + maxLength + " characters for "
                    + provider.orElseThrow().id() + ", is " + name.length()));
        } else {
            checkLabel(violations, "name", name);
        }
    }

    private static void checkLabel(List<Violation> violations, String field, String value) {
        if (isBlank(value)) {
            violations.add(new Violation(field, "is required"));
        } else if (value.length() > MAX_NAME_LENGTH) {
            violations.add(new Violation(field, "must be at most " + MAX_NAME_LENGTH + " characters, is " + value.length()));
        } else if (!DNS_1123_LABEL.matcher(value).matches()) {
            violations.add(new Violation(field, "must be a DNS-1123 label: lower-case letters, digits and '-', "
                    + "starting and ending with a letter or digit"));
        }
    }

    /** A name within a list: a DNS-1123 label that no earlier item of the list has taken. */
    private static void checkUniqueLabel(List<Violation> violations, String field, String name, Set<String> taken,
                                         String duplicateMessage) {
        checkLabel(violations, field, name);
        if (name != null && !taken.add(name)) {
            violations.add(new Violation(field, "'" + name + "' " + duplicateMessage));
        }
    }

    private static Optional<Provider> checkInfrastructure(List<Violation> violations, InfrastructureInput infra) {
        if (infra == null) {
            violations.add(new Violation("infrastructure", "is required"));
            return Optional.empty();
        }
        if (isBlank(infra.provider())) {
            violations.add(new Violation("infrastructure.provider", "is required, one of " + Provider.ids()));
            return Optional.empty();
        }
        Optional<Provider> provider = Provider.fromId(infra.provider());
        if (provider.isEmpty()) {
            violations.add(new Violation("infrastructure.provider",
                    "unknown provider '" + infra.provider() + "', expected one of " + Provider.ids()));
            return provider;
        }
        Map<String, String> parameters = infra.parameters() == null ? Map.of() : infra.parameters();
        checkCredentials(violations, provider.get(), parameters, infra.credentialsRef());
        checkFields(violations, "infrastructure.parameters", provider.get(), provider.get().parameters(),
                new LinkedHashMap<>(parameters));
        return provider;
    }

    private static void checkCredentials(List<Violation> violations, Provider provider, Map<String, String> parameters,
                                         String credentialsRef) {
        String field = "infrastructure.credentialsRef";
        if (provider.credentials(parameters) == Provider.Credentials.NOT_USED) {
            if (credentialsRef != null) {
                violations.add(new Violation(field, "is not used by " + provider.id()
                        + (provider == Provider.AZURE ? " with identityType " + parameters.get("identityType")
                        : ": its Cluster API provider takes credentials from its controller's configuration")));
            }
        } else if (isBlank(credentialsRef)) {
            violations.add(new Violation(field, "is required for " + provider.id()
                    + ": the name of the Secret or identity that holds the credentials"));
        } else if (credentialsRef.length() > 253 || !DNS_1123_SUBDOMAIN.matcher(credentialsRef).matches()) {
            violations.add(new Violation(field, "must be the name of a Kubernetes object (DNS-1123 subdomain)"));
        }
    }

    private static void checkFields(List<Violation> violations, String path, Provider provider,
                                    List<Provider.Field> fields, Map<String, Object> values) {
        Set<String> known = new HashSet<>();
        for (Provider.Field field : fields) {
            known.add(field.name());
            Object value = values.get(field.name());
            String fieldPath = path + "." + field.name();
            if (value == null || (value instanceof String s && s.isBlank())) {
                if (field.required()) {
                    violations.add(new Violation(fieldPath, "is required for " + provider.id()));
                }
            } else if (field.integer()) {
                checkInteger(violations, fieldPath, field, value);
            } else if (!(value instanceof String s)) {
                violations.add(new Violation(fieldPath, "must be a string"));
            } else if (!field.allowed().isEmpty() && !field.allowed().contains(s)) {
                violations.add(new Violation(fieldPath, "'" + s + "' is not one of " + field.allowed().stream().sorted().toList()));
            } else if (field.pattern() != null && !field.pattern().matcher(s).matches()) {
                violations.add(new Violation(fieldPath, "'" + s + "' is not " + field.patternDescription()));
            }
        }
        values.keySet().stream()
                .filter(key -> !known.contains(key))
                .sorted()
                .forEach(key -> violations.add(new Violation(path + "." + key,
                        "is not a field of " + provider.id() + "; known: " + fields.stream().map(Provider.Field::name).toList())));
    }

    /**
     * A cluster that runs with {@code cloud-provider: external} gets its cloud's controller manager at the release of
     * its Kubernetes minor (the version-skew policy allows no newer control plane): a minor without one is refused
     * here, rather than at the pivot.
     */
    /** The Cluster API release whose Kubernetes range bounds every cluster's, e.g. {@code v1.9}. */
    public static String clusterApiRelease() {
        return CAPI_RELEASE;
    }

    /**
     * The Kubernetes minors a cluster of {@code provider} may run, oldest first, e.g. {@code v1.30}: Cluster API's
     * range, narrowed to the minors pivotplane has a cloud-controller-manager release of where the cluster needs one.
     */
    public static List<String> kubernetesMinors(Provider provider) {
        List<String> minors = new ArrayList<>();
        for (int minor = OLDEST_MINOR; minor <= NEWEST_MINOR; minor++) {
            String name = "v1." + minor;
            if (!CloudControllerManagers.needsOne(provider.id())
                    || CloudControllerManagers.kubernetesMinors().contains(name)) {
                minors.add(name);
            }
        }
        return minors;
    }

    private static void checkCloudControllerManager(List<Violation> violations, Optional<Provider> provider,
                                                    String version) {
        if (provider.isEmpty() || version == null || !KUBERNETES_VERSION.matcher(version).matches()
                || !CloudControllerManagers.needsOne(provider.get().id())) {
            return;
        }
        String minor = version.substring(0, version.indexOf('.', version.indexOf('.') + 1));
        if (!CloudControllerManagers.kubernetesMinors().contains(minor)) {
            violations.add(new Violation("kubernetesVersion", "'" + version + "': " + provider.get().id()
                    + " clusters get their cloud-controller-manager at the release of their Kubernetes minor, and"
                    + " pivotplane has one for " + new java.util.TreeSet<>(CloudControllerManagers.kubernetesMinors())
                    + " only"));
        }
    }

    private static void checkVersion(List<Violation> violations, String version) {
        if (isBlank(version)) {
            violations.add(new Violation("kubernetesVersion", "is required, e.g. v1.30.5"));
            return;
        }
        Matcher matcher = KUBERNETES_VERSION.matcher(version);
        if (!matcher.matches()) {
            violations.add(new Violation("kubernetesVersion",
                    "'" + version + "' is not a Kubernetes version: expected v<major>.<minor>.<patch>, e.g. v1.30.5"));
        } else if (!matcher.group(1).equals("1") || Integer.parseInt(matcher.group(2)) < OLDEST_MINOR
                || Integer.parseInt(matcher.group(2)) > NEWEST_MINOR) {
            violations.add(new Violation("kubernetesVersion", "'" + version + "' is outside what Cluster API "
                    + CAPI_RELEASE + " supports where it runs, v1." + OLDEST_MINOR + " to v1." + NEWEST_MINOR
                    + ": after the pivot each cluster runs its own Cluster API"));
        }
    }

    private static void checkControlPlane(List<Violation> violations, Optional<Provider> provider, ControlPlaneInput cp) {
        if (cp == null) {
            violations.add(new Violation("controlPlane", "is required"));
            return;
        }
        if (cp.replicas() == null) {
            violations.add(new Violation("controlPlane.replicas", "is required"));
        } else if (cp.replicas() < 1) {
            violations.add(new Violation("controlPlane.replicas", "must be at least 1, is " + cp.replicas()));
        } else if (cp.replicas() > MAX_CONTROL_PLANE_REPLICAS) {
            violations.add(new Violation("controlPlane.replicas", "must be at most " + MAX_CONTROL_PLANE_REPLICAS
                    + " (etcd members), is " + cp.replicas()));
        } else if (cp.replicas() % 2 == 0) {
            violations.add(new Violation("controlPlane.replicas", "must be odd (stacked etcd needs a majority), is "
                    + cp.replicas()));
        }
        checkMachine(violations, provider, "controlPlane.machine", cp.machine());
    }

    private static void checkWorkerPools(List<Violation> violations, Optional<Provider> provider, String clusterName,
                                         List<WorkerPoolInput> pools) {
        if (pools == null) {
            return;
        }
        long workers = pools.stream().filter(p -> p != null && p.replicas() != null && p.replicas() > 0)
                .mapToLong(WorkerPoolInput::replicas).sum();
        if (workers > MAX_NODES) {
            violations.add(new Violation("workerPools", "must add up to at most " + MAX_NODES
                    + " nodes (Kubernetes' limit of nodes in a cluster), are " + workers));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < pools.size(); i++) {
            String path = "workerPools[" + i + "]";
            WorkerPoolInput pool = pools.get(i);
            if (pool == null) {
                violations.add(new Violation(path, "must not be null"));
                continue;
            }
            checkUniqueLabel(violations, path + ".name", pool.name(), names, "is used by another pool");
            if (pool.name() != null && clusterName != null
                    && clusterName.length() + 1 + pool.name().length() > MAX_NAME_LENGTH) {
                violations.add(new Violation(path + ".name", "'" + clusterName + "-" + pool.name()
                        + "' (the MachineDeployment's name) must be at most " + MAX_NAME_LENGTH + " characters"));
            }
            if (pool.replicas() == null) {
                violations.add(new Violation(path + ".replicas", "is required"));
            } else if (pool.replicas() < 0) {
                violations.add(new Violation(path + ".replicas", "must be 0 or more, is " + pool.replicas()));
            } else if (pool.replicas() > MAX_NODES) {
                violations.add(new Violation(path + ".replicas", "must be at most " + MAX_NODES
                        + " (Kubernetes' limit of nodes in a cluster), is " + pool.replicas()));
            }
            checkMachine(violations, provider, path + ".machine", pool.machine());
        }
    }

    private static void checkMachine(List<Violation> violations, Optional<Provider> provider, String path,
                                     Map<String, Object> machine) {
        if (provider.isEmpty()) {
            return;
        }
        if (machine == null) {
            violations.add(new Violation(path, "is required for " + provider.get().id()));
            return;
        }
        checkFields(violations, path, provider.get(), provider.get().machineFields(), machine);
    }

    /**
     * Durations as Cluster API's Go code parses them, from a second to a day (a shorter one replaces machines that
     * only restart, a longer one is no health check); {@code maxUnhealthy} a count or a percentage.
     */
    private static void checkHealthCheck(List<Violation> violations, HealthCheckInput healthCheck) {
        if (healthCheck == null) {
            return;
        }
        checkDuration(violations, "healthCheck.unhealthyAfter", healthCheck.unhealthyAfter());
        checkDuration(violations, "healthCheck.nodeStartupTimeout", healthCheck.nodeStartupTimeout());
        Object max = healthCheck.maxUnhealthy();
        if (max != null) {
            Matcher matcher = MAX_UNHEALTHY.matcher(max.toString());
            if (!matcher.matches() || (matcher.group(2) != null && Long.parseLong(matcher.group(1)) > 100)) {
                violations.add(new Violation("healthCheck.maxUnhealthy",
                        "must be a number of machines or a percentage up to 100%, e.g. 2 or 40%, is '" + max + "'"));
            }
        }
    }

    private static void checkDuration(List<Violation> violations, String path, String duration) {
        if (duration == null) {
            return;
        }
        Optional<Duration> parsed = GoDuration.parse(duration);
        if (parsed.isEmpty()) {
            violations.add(new Violation(path, "must be a duration such as 90s, 5m or 1h30m, is '" + duration + "'"));
        } else if (parsed.get().compareTo(Duration.ofSeconds(1)) < 0 || parsed.get().compareTo(Duration.ofDays(1)) > 0) {
            violations.add(new Violation(path, "must be from 1s to 24h, is " + duration));
        }
    }

    private static void checkSshKeys(List<Violation> violations, List<String> keys) {
        if (keys == null) {
            return;
        }
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (key == null || !SSH_PUBLIC_KEY.matcher(key.strip()).matches()) {
                violations.add(new Violation("sshAuthorizedKeys[" + i + "]",
                        "must be an OpenSSH public key, e.g. 'ssh-ed25519 AAAA... user@host'"));
            }
        }
    }

    /**
     * A profile needs a network plugin: without an add-on of layer {@code cni} no node of the cluster ever becomes
     * Ready, so the control plane never counts a ready replica and the pivot's preflight waits for nothing.
     */
    private static void checkProfile(List<Violation> violations, String at, List<AddonInput> addons) {
        if (addons == null || addons.stream()
                .noneMatch(addon -> addon != null && Addon.LAYER_CNI.equals(addon.layer()))) {
            violations.add(new Violation(at, "must include the cluster's network plugin: an add-on of"
                    + " layer 'cni' (Calico, Cilium, Flannel…); no node becomes Ready without one"));
        }
        if (addons == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < addons.size(); i++) {
            String path = at + "[" + i + "]";
            AddonInput addon = addons.get(i);
            if (addon == null) {
                violations.add(new Violation(path, "must not be null"));
                continue;
            }
            checkUniqueLabel(violations, path + ".name", addon.name(), names, "appears twice in the profile");
            if (addon.layer() != null && !DNS_1123_LABEL.matcher(addon.layer()).matches()) {
                violations.add(new Violation(path + ".layer",
                        "must be a lower-case name such as 'cni', 'csi' or 'addon'"));
            }
            checkContent(violations, path, addon);
            checkOrdering(violations, path, addon);
        }
        checkDependencies(violations, at, addons);
        long bytes = addons.stream().filter(a -> a != null && a.manifests() != null)
                .flatMap(a -> a.manifests().stream()).filter(m -> m != null)
                .mapToLong(m -> m.getBytes(StandardCharsets.UTF_8).length).sum()
                + addons.stream().filter(a -> a != null && a.chart() != null && a.chart().values() != null)
                .mapToLong(a -> valuesYaml(a.chart().values()).getBytes(StandardCharsets.UTF_8).length).sum();
        if (bytes > MAX_PROFILE_MANIFEST_BYTES) {
            violations.add(new Violation(at, "manifests add up to " + (bytes + 1023) / 1024
                    + " KiB, more than the " + MAX_PROFILE_MANIFEST_BYTES / 1024 + " KiB that fit in the events"
                    + " that carry the cluster's spec (Kafka takes 1 MiB a record)"));
        }
    }

    /**
     * A profile given in the request itself has its add-ons and may be named; one that names a stored profile has
     * been resolved into add-ons before it gets here ({@link ProfileResolution}); values per cluster go with a stored
     * profile only.
     */
    private static void checkProfileReference(List<Violation> violations, ProfileInput profile) {
        if (profile == null) {
            return;
        }
        if (profile.refersToStoredProfile() && profile.version() == null) {
            violations.add(new Violation("profile.version", "must name the version of stored profile '"
                    + profile.name() + "' to install (pivotctl profile list shows them), or the profile give its"
                    + " add-ons"));
        }
        if (profile.values() != null && !profile.values().isEmpty() && !profile.refersToStoredProfile()
                && profile.version() == null) {
            violations.add(new Violation("profile.values", "sets values of a stored profile's charts: with add-ons"
                    + " given here, put the values into their charts"));
        }
        if (profile.version() != null && profile.name() == null) {
            violations.add(new Violation("profile.name", "must name the stored profile whose version is given"));
        }
        if (profile.version() != null && !CHART_VERSION.matcher(profile.version()).matches()) {
            violations.add(new Violation("profile.version", "must be a profile's version (SemVer, e.g. '1.2.0')"));
        }
    }

    /**
     * Validates a stored profile: a name, a SemVer version, and add-ons that a cluster could install as they are.
     *
     * @throws InvalidClusterRequestException naming every problem
     */
    public ClusterProfileInput validateProfile(ClusterProfileInput profile) {
        if (profile == null) {
            throw new InvalidClusterRequestException(List.of(new Violation("", "a profile body is required")));
        }
        List<Violation> violations = new ArrayList<>();
        if (profile.name() == null || profile.name().length() > 63 || !DNS_1123_LABEL.matcher(profile.name()).matches()) {
            violations.add(new Violation("name", "must be a lower-case name of at most 63 characters, e.g. 'baseline'"));
        }
        if (profile.version() == null || profile.version().length() > 64
                || !CHART_VERSION.matcher(profile.version()).matches()) {
            violations.add(new Violation("version", "must be a SemVer version such as '1.0.0'"));
        }
        if (profile.description() != null && profile.description().length() > 1024) {
            violations.add(new Violation("description", "must be at most 1024 characters"));
        }
        checkProfile(violations, "addons", profile.addons());
        if (!violations.isEmpty()) {
            throw new InvalidClusterRequestException(violations);
        }
        return profile;
    }

    /**
     * Validates the profile a running cluster is to move to, with its add-ons (a stored one resolved already), as a
     * request's profile is validated.
     *
     * @throws InvalidClusterRequestException naming every problem
     */
    public Profile validateClusterProfile(ProfileInput profile) {
        List<Violation> violations = new ArrayList<>();
        if (profile == null) {
            throw new InvalidClusterRequestException(List.of(new Violation("", "a profile body is required")));
        }
        checkProfile(violations, "profile.addons", profile.addons());
        checkProfileReference(violations, profile);
        if (!violations.isEmpty()) {
            throw new InvalidClusterRequestException(violations);
        }
        return new Profile(profile.name(), profile.version(),
                profile.addons().stream().map(ClusterRequestValidator::toAddon).toList());
    }

    /** An add-on is a chart or manifests, never both; a chart names where it comes from and which version. */
    private static void checkContent(List<Violation> violations, String path, AddonInput addon) {
        boolean hasManifests = addon.manifests() != null && addon.manifests().stream()
                .anyMatch(m -> m != null && !m.isBlank());
        if (addon.chart() != null && hasManifests) {
            violations.add(new Violation(path, "has both a chart and manifests: an add-on is one or the other"));
        } else if (addon.chart() == null && !hasManifests) {
            violations.add(new Violation(path + ".manifests",
                    "must hold at least one Kubernetes manifest, or the add-on a chart"));
        }
        if (hasManifests) {
            for (int m = 0; m < addon.manifests().size(); m++) {
                if (addon.manifests().get(m) != null) {
                    ManifestAdmission.check(violations, path + ".manifests[" + m + "]", addon.manifests().get(m));
                }
            }
        }
        if (addon.chart() == null) {
            return;
        }
        ClusterRequestInput.ChartInput chart = addon.chart();
        if (Addon.LAYER_CNI.equals(addon.layer())) {
            violations.add(new Violation(path + ".chart", "the network plugin (layer 'cni') goes onto the cluster"
                    + " before its pivot, from manifests: give its manifests (helm template renders them)"));
        }
        String repository = chart.repository();
        if (repository == null || !(repository.startsWith("https://") || repository.startsWith("http://")
                || repository.startsWith("oci://")) || repository.contains(" ")) {
            violations.add(new Violation(path + ".chart.repository", "must be a chart repository's URL (https://…,"
                    + " holding an index.yaml) or an OCI reference (oci://registry/path)"));
        }
        if (chart.name() == null || !DNS_1123_SUBDOMAIN.matcher(chart.name()).matches()) {
            violations.add(new Violation(path + ".chart.name", "must be the chart's name, e.g. 'ingress-nginx'"));
        }
        if (chart.version() == null || !CHART_VERSION.matcher(chart.version()).matches()) {
            violations.add(new Violation(path + ".chart.version", "must be the chart's exact version (SemVer, e.g."
                    + " '4.10.1'): a range would install different charts on different clusters"));
        }
        if (chart.namespace() != null && !DNS_1123_LABEL.matcher(chart.namespace()).matches()) {
            violations.add(new Violation(path + ".chart.namespace", "must be a namespace's name"));
        }
    }

    private static void checkOrdering(List<Violation> violations, String path, AddonInput addon) {
        if (addon.priority() != null && (addon.priority() < 0 || addon.priority() > MAX_PRIORITY)) {
            violations.add(new Violation(path + ".priority", "must be from 0 to " + MAX_PRIORITY
                    + " (lower installs first)"));
        }
        if (addon.readyTimeoutSeconds() != null
                && (addon.readyTimeoutSeconds() < 1 || addon.readyTimeoutSeconds() > MAX_READY_TIMEOUT_SECONDS)) {
            violations.add(new Violation(path + ".readyTimeoutSeconds", "must be from 1 to "
                    + MAX_READY_TIMEOUT_SECONDS));
        }
    }

    /**
     * An add-on depends on add-ons of the profile that install before it or with it: of an earlier layer, or of its
     * own layer with a priority not above its own; and no add-on waits, through others, for itself.
     */
    private static void checkDependencies(List<Violation> violations, String at, List<AddonInput> addons) {
        Map<String, AddonInput> byName = new LinkedHashMap<>();
        addons.stream().filter(a -> a != null && a.name() != null).forEach(a -> byName.putIfAbsent(a.name(), a));
        for (int i = 0; i < addons.size(); i++) {
            AddonInput addon = addons.get(i);
            if (addon == null || addon.dependsOn() == null) {
                continue;
            }
            for (int d = 0; d < addon.dependsOn().size(); d++) {
                String path = at + "[" + i + "].dependsOn[" + d + "]";
                AddonInput dependency = byName.get(addon.dependsOn().get(d));
                if (dependency == null) {
                    violations.add(new Violation(path, "names '" + addon.dependsOn().get(d)
                            + "', which is no add-on of the profile"));
                } else if (dependency == addon) {
                    violations.add(new Violation(path, "names the add-on itself"));
                } else if (Addon.layerRank(dependency.layer()) > Addon.layerRank(addon.layer())
                        || Addon.layerRank(dependency.layer()) == Addon.layerRank(addon.layer())
                        && priority(dependency) > priority(addon)) {
                    violations.add(new Violation(path, "names '" + dependency.name() + "', which installs after"
                            + " this add-on (a later layer or a higher priority): it would wait for ever"));
                }
            }
        }
        for (AddonInput addon : byName.values()) {
            if (waitsForItself(addon.name(), addon, byName, new HashSet<>())) {
                violations.add(new Violation(at, "add-on '" + addon.name()
                        + "' depends on itself through other add-ons: dependencies must not go round"));
                return;
            }
        }
    }

    private static boolean waitsForItself(String start, AddonInput addon, Map<String, AddonInput> byName,
                                          Set<String> seen) {
        if (addon.dependsOn() == null) {
            return false;
        }
        for (String name : addon.dependsOn()) {
            if (name == null || name.equals(addon.name())) {
                continue;
            }
            if (name.equals(start)) {
                return true;
            }
            AddonInput next = byName.get(name);
            if (next != null && seen.add(name) && waitsForItself(start, next, byName, seen)) {
                return true;
            }
        }
        return false;
    }

    private static int priority(AddonInput addon) {
        return addon.priority() == null ? 0 : addon.priority();
    }

    private static String valuesYaml(Map<String, Object> values) {
        if (values == null || values.isEmpty()) {
            return "";
        }
        try {
            return VALUES_YAML.writeValueAsString(values);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("chart values are not writable as YAML: " + e.getMessage(), e);
        }
    }

    private static Addon toAddon(AddonInput a) {
        ClusterRequestInput.ChartInput chart = a.chart();
        return new Addon(a.name(), a.layer(), a.version(), a.manifests(),
                chart == null ? null : new Addon.Chart(chart.repository(), chart.name(), chart.version(),
                        chart.namespace(), chart.values() == null || chart.values().isEmpty() ? null
                        : valuesYaml(chart.values())),
                priority(a), a.dependsOn(), Boolean.TRUE.equals(a.continueOnError()),
                a.readyTimeoutSeconds() == null ? 0 : a.readyTimeoutSeconds());
    }

    private static ClusterSpec toSpec(ClusterRequestInput input, Provider provider) {
        InfrastructureInput infra = input.infrastructure();
        List<WorkerPool> pools = input.workerPools() == null ? List.of() : input.workerPools().stream()
                .map(p -> new WorkerPool(p.name(), p.replicas(), normalized(provider, p.machine())))
                .toList();
        ProfileInput profile = input.profile();
        Profile spec = profile == null ? Profile.EMPTY : new Profile(profile.name(), profile.version(),
                profile.addons() == null ? List.of() : profile.addons().stream()
                        .map(ClusterRequestValidator::toAddon)
                        .toList());
        return new ClusterSpec(input.name(), input.project(),
                new Infrastructure(infra.provider(), infra.credentialsRef(), infra.parameters()),
                input.kubernetesVersion(),
                new ControlPlane(input.controlPlane().replicas(), normalized(provider, input.controlPlane().machine())),
                pools,
                input.sshAuthorizedKeys() == null ? List.of() : input.sshAuthorizedKeys().stream().map(String::strip).toList(),
                spec, input.healthCheck() == null ? null : new HealthCheck(input.healthCheck().unhealthyAfter(),
                        input.healthCheck().nodeStartupTimeout(), input.healthCheck().maxUnhealthy() == null ? null
                        : input.healthCheck().maxUnhealthy().toString()));
    }

    private static void checkInteger(List<Violation> violations, String fieldPath, Provider.Field field, Object value) {
        Optional<Long> number = wholeNumber(value);
        if (number.isEmpty()) {
            violations.add(new Violation(fieldPath, "must be a whole number"));
        } else if (number.get() < field.min() || number.get() > field.max()) {
            violations.add(new Violation(fieldPath, field.max() >= Integer.MAX_VALUE
                    ? "must be at least " + field.min() + ", is " + number.get()
                    : "must be from " + field.min() + " to " + field.max() + ", is " + number.get()));
        }
    }

    /** Integer fields as {@code Integer}, whether they arrived as a JSON number or a string of digits. */
    private static Map<String, Object> normalized(Provider provider, Map<String, Object> machine) {
        Map<String, Object> result = new LinkedHashMap<>(machine);
        provider.machineFields().stream()
                .filter(Provider.Field::integer)
                .forEach(f -> wholeNumber(machine.get(f.name())).ifPresent(n -> result.put(f.name(), n.intValue())));
        return result;
    }

    private static Optional<Long> wholeNumber(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            return Optional.of(((Number) value).longValue());
        }
        if (value instanceof BigInteger big && big.bitLength() < 63) {
            return Optional.of(big.longValue());
        }
        if (value instanceof String s && DECIMAL.matcher(s).matches()) {
            return Optional.of(Long.parseLong(s));
        }
        return Optional.empty();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
