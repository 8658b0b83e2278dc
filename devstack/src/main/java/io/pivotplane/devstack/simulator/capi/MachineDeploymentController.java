package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CAPI's MachineDeployment controller ({@code internal/controllers/machinedeployment}, v1.9): its finalizer first; the
 * Cluster as owner of the deployment and of its templates; the MachineSets it controls. The new MachineSet is the one
 * whose machine template matches the deployment's in what rolls ({@code mdutil.MachineTemplateUpToDate}: version,
 * bootstrap, infrastructureRef without its API version, failure domain; labels, annotations and node timeouts are
 * written into it in place) and, once {@code rolloutAfter} has passed, that was created after it; when none matches, a
 * new one is made (named {@code <deployment>-<random>}, labelled {@code machine-template-hash: <hash>-<random>}), with
 * as many replicas as the strategy allows at once. The RollingUpdate strategy (the webhook's defaults: maxSurge 1,
 * maxUnavailable 0) scales the new set up as far as maxSurge allows and the old ones down, unavailable replicas first,
 * as far as the available machines allow; OnDelete scales old sets down as their machines are deleted, with machine
 * creation disabled on them; a paused deployment is only scaled. Once a rollout is complete, old sets beyond
 * {@code revisionHistoryLimit} (1 by default) that are at 0 replicas without machines are deleted. Status: summed
 * over all sets, {@code updatedReplicas} those of the new one. Deletion deletes the MachineSets and waits for them.
 */
final class MachineDeploymentController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(MachineDeploymentController.class);
    static final String FINALIZER = "cluster.x-k8s.io/machinedeployment";
    static final String TEMPLATE_HASH_LABEL = "machine-template-hash";
    static final String REVISION_ANNOTATION = "machinedeployment.clusters.x-k8s.io/revision";
    static final String REVISION_HISTORY_ANNOTATION = "machinedeployment.clusters.x-k8s.io/revision-history";
    static final String DESIRED_REPLICAS_ANNOTATION = "machinedeployment.clusters.x-k8s.io/desired-replicas";
    static final String MAX_REPLICAS_ANNOTATION = "machinedeployment.clusters.x-k8s.io/max-replicas";
    static final String DISABLE_MACHINE_CREATE_ANNOTATION = "machinedeployment.clusters.x-k8s.io/disable-machine-create";
    static final String ROLLING_UPDATE = "RollingUpdate";
    static final String ON_DELETE = "OnDelete";
    /** What is never copied from the deployment's annotations to its MachineSets (mdutil's annotationsToSkip). */
    private static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration",
            REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION,
            "cluster.x-k8s.io/conversion-data");
    /** The machine template's fields a MachineSet takes over in place, without a rollout. */
    private static final List<String> IN_PLACE_MACHINE_FIELDS = List.of("readinessGates", "nodeDrainTimeout",
            "nodeDeletionTimeout", "nodeVolumeDetachTimeout");
    /** computeNewMachineSetName: the generated name stays a valid label value. */
    private static final int MAX_NAME_BASE = 63 - 5;
    private static final Set<String> WATCHES = Set.of(Capi.MACHINE_DEPLOYMENT, Capi.MACHINE_SET, Capi.CLUSTER);

    MachineDeploymentController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.CORE;
    }

    @Override
    Set<String> watches() {
        return WATCHES;
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        GenericKubernetesResource cluster = api.get(Kind.CLUSTER, key.namespace(), key.name());
        Optional<Duration> again = done();
        for (GenericKubernetesResource deployment : api.ofCluster(Kind.MACHINE_DEPLOYMENT, key.namespace(), key.name())) {
            again = MachineController.earliest(again, reconcile(deployment, cluster));
        }
        return again;
    }

    private Optional<Duration> reconcile(GenericKubernetesResource deployment, GenericKubernetesResource cluster) {
        if (api.ensureFinalizer(Kind.MACHINE_DEPLOYMENT, deployment, FINALIZER)) {
            return done();
        }
        if (cluster == null || Clusters.paused(cluster, deployment)) {
            return done();
        }
        List<GenericKubernetesResource> sets = ownSets(deployment);
        if (Api.deleting(deployment)) {
            if (sets.isEmpty()) {
                api.removeFinalizer(Kind.MACHINE_DEPLOYMENT, deployment, FINALIZER);
                return done();
            }
            sets.forEach(set -> api.delete(Kind.MACHINE_SET, set));
            Rollout deleting = new Rollout(deployment, cluster);
            deleting.old.addAll(sets);
            writeStatus(deleting);
            return done();
        }
        GenericKubernetesResource owned = api.change(Kind.MACHINE_DEPLOYMENT, deployment, d -> {
            Map<String, String> labels = new LinkedHashMap<>(Api.labels(d));
            labels.put(Capi.CLUSTER_NAME_LABEL, ObjectMaps.string(d, "spec", "clusterName")
                    .orElse(cluster.getMetadata().getName()));
            d.getMetadata().setLabels(labels);
            Api.ensureOwnerReference(d, Api.ownerReference(cluster, false));
            return d;
        });
        boolean templatesExist = ownTemplates(owned, cluster);
        Rollout rollout = new Rollout(owned, cluster);
        if (ObjectMaps.isTrue(owned, "spec", "paused")) {
            sync(rollout, sets);
        } else if (rollout.rollingUpdate() || ON_DELETE.equals(rollout.strategy)) {
            rollout(rollout, sets, templatesExist);
        } else {
            throw new IllegalStateException("unexpected deployment strategy type: " + rollout.strategy);
        }
        writeRevision(rollout);
        writeStatus(rollout);
        return rollout.rolloutAfter().filter(at -> rollout.now.isBefore(at))
                // no resync period here: what a real controller's resync would find once rolloutAfter passes
                .map(at -> after(Duration.between(Instant.now(), at).plusMillis(10))).orElse(done());
    }

    /** The deployment in one reconcile: its strategy as the webhook defaults it, and its MachineSets. */
    private static final class Rollout {
        final GenericKubernetesResource deployment;
        final GenericKubernetesResource cluster;
        final Instant now = Instant.now();
        final int replicas;
        final String strategy;
        final Object maxSurge;
        final Object maxUnavailable;
        GenericKubernetesResource newSet;
        final List<GenericKubernetesResource> old = new ArrayList<>();

        Rollout(GenericKubernetesResource deployment, GenericKubernetesResource cluster) {
            this.deployment = deployment;
            this.cluster = cluster;
            this.replicas = ObjectMaps.integer(deployment, 1, "spec", "replicas");
            this.strategy = ObjectMaps.string(deployment, "spec", "strategy", "type").orElse(ROLLING_UPDATE);
            this.maxSurge = ObjectMaps.at(deployment, "spec", "strategy", "rollingUpdate", "maxSurge").orElse(1);
            this.maxUnavailable = ObjectMaps.at(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable")
                    .orElse(0);
        }

        boolean rollingUpdate() {
            return ROLLING_UPDATE.equals(strategy);
        }

        List<GenericKubernetesResource> all() {
            List<GenericKubernetesResource> all = new ArrayList<>(old);
            if (newSet != null) {
                all.add(newSet);
            }
            return all;
        }

        /** mdutil.MaxSurge. */
        int maxSurge() {
            return rollingUpdate() ? fenceposts()[0] : 0;
        }

        /** mdutil.MaxUnavailable. */
        int maxUnavailable() {
            if (!rollingUpdate() || replicas == 0) {
                return 0;
            }
            return Math.min(fenceposts()[1], replicas);
        }

        /** mdutil.ResolveFenceposts: both resolving to 0 (a percentage rounded down) allows one unavailable. */
        private int[] fenceposts() {
            int surge = scaled(maxSurge, replicas, true);
            int unavailable = scaled(maxUnavailable, replicas, false);
            return surge == 0 && unavailable == 0 ? new int[] {0, 1} : new int[] {surge, unavailable};
        }

        Optional<Instant> rolloutAfter() {
            return ObjectMaps.string(deployment, "spec", "rolloutAfter").map(Instant::parse);
        }

        int revisionHistoryLimit() {
            return ObjectMaps.integer(deployment, 1, "spec", "revisionHistoryLimit");
        }
    }

    /** {@code intstr.GetScaledValueFromIntOrPercent}: a number, or a percentage of {@code total}. */
    static int scaled(Object value, int total, boolean roundUp) {
        if (value instanceof Number number) {
            return number.intValue();
        }
        String text = String.valueOf(value);
        if (!text.endsWith("%")) {
            throw new IllegalStateException("invalid value for IntOrString: invalid type: string is not a percentage");
        }
        double share = Integer.parseInt(text.substring(0, text.length() - 1)) * (double) total / 100;
        return (int) (roundUp ? Math.ceil(share) : Math.floor(share));
    }

    // rolloutRolling and rolloutOnDelete

    private void rollout(Rollout rollout, List<GenericKubernetesResource> sets, boolean templatesExist) {
        findSets(rollout, sets);
        if (rollout.newSet == null) {
            if (!templatesExist) {
                throw new IllegalStateException("cannot create a new MachineSet when templates do not exist");
            }
            rollout.newSet = createSet(rollout);
        } else {
            rollout.newSet = updateSet(rollout, rollout.newSet);
        }
        if (rollout.rollingUpdate()) {
            reconcileNewSet(rollout);
            reconcileOldSets(rollout);
        } else {
            enableMachineCreation(rollout.newSet);
            reconcileNewSet(rollout);
            reconcileOldSetsOnDelete(rollout);
        }
        if (complete(rollout)) {
            cleanup(rollout);
        }
    }

    /** getAllMachineSetsAndSyncRevision: the new set (if one matches) and the old ones. */
    private static void findSets(Rollout rollout, List<GenericKubernetesResource> sets) {
        rollout.newSet = findNewSet(rollout, sets).orElse(null);
        for (GenericKubernetesResource set : sets) {
            if (rollout.newSet == null || !set.getMetadata().getUid().equals(rollout.newSet.getMetadata().getUid())) {
                rollout.old.add(set);
            }
        }
    }

    /**
     * mdutil.FindNewMachineSet: of the sets whose template matches, the one with most replicas (the oldest of those);
     * once rolloutAfter has passed, only one created since.
     */
    private static Optional<GenericKubernetesResource> findNewSet(Rollout rollout, List<GenericKubernetesResource> sets) {
        Map<String, Object> desired = rolloutFields(ObjectMaps.at(rollout.deployment, "spec", "template", "spec")
                .orElse(Map.of()));
        List<GenericKubernetesResource> matching = sets.stream()
                .filter(set -> rolloutFields(ObjectMaps.at(set, "spec", "template", "spec").orElse(Map.of()))
                        .equals(desired))
                .sorted(Comparator.comparingInt((GenericKubernetesResource s) -> -specReplicas(s))
                        .thenComparing(MachineDeploymentController::created)
                        .thenComparing(s -> s.getMetadata().getName()))
                .toList();
        Optional<Instant> rolloutAfter = rollout.rolloutAfter();
        if (rolloutAfter.isEmpty() || rollout.now.isBefore(rolloutAfter.get())) {
            return matching.stream().findFirst();
        }
        return matching.stream().filter(set -> !created(set).isBefore(rolloutAfter.get())).findFirst();
    }

    /**
     * mdutil.MachineTemplateDeepCopyRolloutFields as MachineTemplateUpToDate compares it: version, bootstrap,
     * infrastructureRef and failure domain, the references without their API version and namespace.
     */
    static Map<String, Object> rolloutFields(Object machineSpec) {
        Map<String, Object> spec = Api.normalized(machineSpec);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", nonEmpty(spec.get("version")));
        Map<String, Object> bootstrap = new LinkedHashMap<>(Api.normalized(spec.get("bootstrap")));
        if (bootstrap.get("configRef") != null) {
            bootstrap.put("configRef", withoutVersion(bootstrap.get("configRef")));
        }
        bootstrap.values().removeIf(v -> nonEmpty(v) == null);
        fields.put("bootstrap", bootstrap);
        fields.put("infrastructureRef", withoutVersion(spec.get("infrastructureRef")));
        fields.put("failureDomain", nonEmpty(spec.get("failureDomain")));
        return fields;
    }

    private static Map<String, Object> withoutVersion(Object reference) {
        Map<String, Object> copy = new LinkedHashMap<>(Api.normalized(reference));
        String apiVersion = Objects.toString(copy.get("apiVersion"), "");
        copy.put("apiVersion", apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "");
        copy.remove("namespace");
        copy.values().removeIf(v -> nonEmpty(v) == null);
        return copy;
    }

    private static Object nonEmpty(Object value) {
        return value == null || "".equals(value) ? null : value;
    }

    /** reconcileNewMachineSet: down to the deployment's replicas at once, up as far as the strategy allows. */
    private void reconcileNewSet(Rollout rollout) {
        int current = specReplicas(rollout.newSet);
        if (current == rollout.replicas) {
            return;
        }
        if (current > rollout.replicas) {
            scale(rollout, rollout.newSet, rollout.replicas);
            return;
        }
        scale(rollout, rollout.newSet, newSetReplicas(rollout, rollout.all(), current));
    }

    /** mdutil.NewMSNewReplicas: no more machines than replicas plus maxSurge (OnDelete: than replicas). */
    private static int newSetReplicas(Rollout rollout, List<GenericKubernetesResource> sets, int current) {
        int machines = sets.stream().mapToInt(s -> Math.max(specReplicas(s), statusReplicas(s))).sum();
        int most = rollout.replicas + (rollout.rollingUpdate() ? scaled(rollout.maxSurge, rollout.replicas, true) : 0);
        if (machines >= most) {
            return current;
        }
        return current + (rollout.rollingUpdate() ? Math.min(most - machines, rollout.replicas - current)
                : most - machines);
    }

    /**
     * reconcileOldMachineSets: old sets go down only as far as leaves {@code replicas - maxUnavailable} machines
     * available, counting the new set's unavailable ones against it.
     */
    private void reconcileOldSets(Rollout rollout) {
        if (sumSpecReplicas(rollout.old) == 0) {
            return;
        }
        int minAvailable = rollout.replicas - rollout.maxUnavailable();
        int newUnavailable = specReplicas(rollout.newSet) - available(rollout.newSet);
        int maxScaledDown = sumSpecReplicas(rollout.all()) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return;
        }
        cleanupUnhealthyReplicas(rollout, maxScaledDown);
        scaleDownOldSets(rollout, minAvailable);
    }

    /** cleanupUnhealthyReplicas: the unavailable replicas of old sets go first, they take no availability away. */
    private void cleanupUnhealthyReplicas(Rollout rollout, int maxCleanup) {
        int cleaned = 0;
        for (GenericKubernetesResource set : oldestFirst(rollout.old)) {
            if (cleaned >= maxCleanup) {
                break;
            }
            int replicas = specReplicas(set);
            int unavailable = replicas - available(set);
            if (replicas == 0 || unavailable == 0) {
                continue;
            }
            int down = Math.min(maxCleanup - cleaned, unavailable);
            scale(rollout, set, replicas - down);
            cleaned += down;
        }
    }

    /** scaleDownOldMachineSetsForRollingUpdate: oldest sets first, by the available machines beyond the minimum. */
    private void scaleDownOldSets(Rollout rollout, int minAvailable) {
        int availableMachines = rollout.all().stream().mapToInt(MachineDeploymentController::available).sum();
        if (availableMachines <= minAvailable) {
            return;
        }
        int toScaleDown = availableMachines - minAvailable;
        int scaledDown = 0;
        for (GenericKubernetesResource set : oldestFirst(rollout.old)) {
            if (scaledDown >= toScaleDown) {
                break;
            }
            int replicas = specReplicas(set);
            if (replicas == 0) {
                continue;
            }
            int down = Math.min(replicas, toScaleDown - scaledDown);
            scale(rollout, set, replicas - down);
            scaledDown += down;
        }
    }

    private void enableMachineCreation(GenericKubernetesResource set) {
        if (!Api.annotations(set).containsKey(DISABLE_MACHINE_CREATE_ANNOTATION)) {
            return;
        }
        api.change(Kind.MACHINE_SET, set, s -> {
            Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(s));
            annotations.remove(DISABLE_MACHINE_CREATE_ANNOTATION);
            s.getMetadata().setAnnotations(annotations);
            return s;
        });
    }

    /**
     * reconcileOldMachineSetsOnDelete: an old set makes no more machines and goes down by those deleted from it, then
     * by what the sets have beyond the deployment's replicas.
     */
    private void reconcileOldSetsOnDelete(Rollout rollout) {
        int surplus = sumSpecReplicas(rollout.all()) - rollout.replicas;
        for (GenericKubernetesResource set : rollout.old) {
            if (specReplicas(set) <= 0) {
                continue;
            }
            if (!Api.annotations(set).containsKey(DISABLE_MACHINE_CREATE_ANNOTATION)) {
                api.change(Kind.MACHINE_SET, set, s -> {
                    Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(s));
                    annotations.put(DISABLE_MACHINE_CREATE_ANNOTATION, "true");
                    s.getMetadata().setAnnotations(annotations);
                    return s;
                });
            }
            List<GenericKubernetesResource> machines = api.list(Kind.MACHINE, set.getMetadata().getNamespace(),
                    Templates.stringMap(ObjectMaps.at(set, "spec", "selector", "matchLabels").orElse(null)));
            int left = (int) machines.stream().filter(m -> !Api.deleting(m)).count();
            surplus -= specReplicas(set) - left;
            scale(rollout, set, left);
        }
        for (GenericKubernetesResource set : rollout.old) {
            if (surplus <= 0) {
                break;
            }
            int replicas = specReplicas(set);
            if (replicas <= 0) {
                continue;
            }
            int down = Math.min(replicas, surplus);
            surplus -= down;
            scale(rollout, set, replicas - down);
        }
    }

    /** mdutil.DeploymentComplete: every replica updated and available. */
    private static boolean complete(Rollout rollout) {
        List<GenericKubernetesResource> all = rollout.all();
        return statusReplicas(rollout.newSet) == rollout.replicas
                && all.stream().mapToInt(MachineDeploymentController::statusReplicas).sum() == rollout.replicas
                && all.stream().mapToInt(MachineDeploymentController::available).sum() == rollout.replicas;
    }

    /**
     * cleanupDeployment: the oldest old sets beyond revisionHistoryLimit go, those scaled to 0 without machines and
     * whose controller has seen that.
     */
    private void cleanup(Rollout rollout) {
        List<GenericKubernetesResource> cleanable = oldestFirst(rollout.old.stream().filter(s -> !Api.deleting(s))
                .toList());
        int surplus = cleanable.size() - rollout.revisionHistoryLimit();
        for (int i = 0; i < surplus; i++) {
            GenericKubernetesResource set = cleanable.get(i);
            long generation = Objects.requireNonNullElse(set.getMetadata().getGeneration(), 0L);
            long observed = ObjectMaps.at(set, "status", "observedGeneration").filter(Number.class::isInstance)
                    .map(n -> ((Number) n).longValue()).orElse(0L);
            if (statusReplicas(set) != 0 || specReplicas(set) != 0 || generation > observed) {
                continue;
            }
            api.delete(Kind.MACHINE_SET, set);
            LOG.info("[{}] MachineDeployment {}: deleted old MachineSet {}", host.name(), Key.of(rollout.deployment),
                    set.getMetadata().getName());
        }
    }

    // sync: a paused deployment is scaled, not rolled

    /** sync and scale of machinedeployment_sync.go. */
    private void sync(Rollout rollout, List<GenericKubernetesResource> sets) {
        findSets(rollout, sets);
        if (rollout.newSet != null) {
            rollout.newSet = updateSet(rollout, rollout.newSet);
        }
        List<GenericKubernetesResource> active = rollout.all().stream().filter(s -> specReplicas(s) > 0).toList();
        GenericKubernetesResource only = active.size() == 1 ? active.get(0) : null;
        if (active.isEmpty() && (rollout.newSet != null || !rollout.old.isEmpty())) {
            only = rollout.newSet != null ? rollout.newSet : oldestFirst(rollout.old).get(rollout.old.size() - 1);
        }
        if (only != null) {
            if (specReplicas(only) != rollout.replicas) {
                scale(rollout, only, rollout.replicas);
            }
            return;
        }
        if (saturated(rollout)) {
            for (GenericKubernetesResource set : rollout.old) {
                if (specReplicas(set) > 0) {
                    scale(rollout, set, 0);
                }
            }
            return;
        }
        if (rollout.rollingUpdate()) {
            scaleProportionally(rollout, active);
        }
    }

    /** mdutil.IsSaturated: the new set has all replicas, available. */
    private static boolean saturated(Rollout rollout) {
        GenericKubernetesResource set = rollout.newSet;
        return set != null && specReplicas(set) == rollout.replicas
                && String.valueOf(rollout.replicas).equals(Api.annotations(set).get(DESIRED_REPLICAS_ANNOTATION))
                && available(set) == rollout.replicas;
    }

    /**
     * The proportional scaling of scale(): what is to add (or remove) goes to the active sets by their share of the
     * size they were last scaled for (their max-replicas annotation), the largest first, the rest to the first.
     */
    private void scaleProportionally(Rollout rollout, List<GenericKubernetesResource> active) {
        int allowed = rollout.replicas > 0 ? rollout.replicas + rollout.maxSurge() : 0;
        int toAdd = allowed - sumSpecReplicas(active);
        List<GenericKubernetesResource> sets = new ArrayList<>(active);
        Comparator<GenericKubernetesResource> byAge = Comparator.comparing(MachineDeploymentController::created);
        sets.sort(Comparator.comparingInt((GenericKubernetesResource s) -> -specReplicas(s))
                .thenComparing(toAdd > 0 ? byAge.reversed() : byAge));
        Map<String, Integer> sizes = new LinkedHashMap<>();
        int added = 0;
        for (GenericKubernetesResource set : sets) {
            int proportion = toAdd == 0 ? 0 : proportion(rollout, set, toAdd, added);
            sizes.put(set.getMetadata().getName(), specReplicas(set) + proportion);
            added += proportion;
        }
        for (int i = 0; i < sets.size(); i++) {
            GenericKubernetesResource set = sets.get(i);
            int size = sizes.get(set.getMetadata().getName());
            if (i == 0 && toAdd != 0) {
                size = Math.max(0, size + toAdd - added);
            }
            scale(rollout, set, size);
        }
    }

    /** mdutil.GetProportion. */
    private static int proportion(Rollout rollout, GenericKubernetesResource set, int toAdd, int added) {
        int replicas = specReplicas(set);
        if (replicas == 0 || toAdd == added) {
            return 0;
        }
        int fraction;
        if (rollout.replicas == 0) {
            fraction = -replicas;
        } else {
            int annotated;
            try {
                annotated = Integer.parseInt(Api.annotations(set).getOrDefault(MAX_REPLICAS_ANNOTATION, ""));
            } catch (NumberFormatException e) {
                annotated = ObjectMaps.integer(rollout.deployment, 0, "status", "replicas");
            }
            fraction = annotated == 0 ? 0
                    : (int) Math.round((double) replicas * (rollout.replicas + rollout.maxSurge()) / annotated)
                    - replicas;
        }
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
    }

    // MachineSets

    /** The MachineSets this deployment controls. */
    private List<GenericKubernetesResource> ownSets(GenericKubernetesResource deployment) {
        return api.list(Kind.MACHINE_SET, deployment.getMetadata().getNamespace(),
                        Map.of(Capi.DEPLOYMENT_NAME_LABEL, deployment.getMetadata().getName())).stream()
                .filter(set -> Api.controllerOf(set).map(o -> o.getUid().equals(deployment.getMetadata().getUid()))
                        .orElse(false))
                .toList();
    }

    /**
     * getTemplatesAndSetOwner: the Cluster becomes an owner of the templates the deployment clones from; whether
     * they exist (without them no new MachineSet is made).
     */
    private boolean ownTemplates(GenericKubernetesResource deployment, GenericKubernetesResource cluster) {
        boolean exist = ObjectMaps.at(deployment, "spec", "template", "spec", "infrastructureRef").isPresent();
        for (String[] path : List.of(new String[] {"spec", "template", "spec", "infrastructureRef"},
                new String[] {"spec", "template", "spec", "bootstrap", "configRef"})) {
            Optional<Object> reference = ObjectMaps.at(deployment, path);
            if (reference.isEmpty()) {
                continue;
            }
            Optional<GenericKubernetesResource> template = api.referenced(reference.get(),
                    deployment.getMetadata().getNamespace()).filter(Objects::nonNull);
            exist &= template.isPresent();
            template.filter(t -> !Api.ownedBy(t, cluster)).ifPresent(t -> {
                Kind kind = Api.kindOf((Map<?, ?>) reference.get()).orElseThrow();
                api.change(kind, t, object -> {
                    Api.ensureOwnerReference(object, Api.ownerReference(cluster, false));
                    return object;
                });
            });
        }
        return exist;
    }

    /** createMachineSetAndWait with computeDesiredMachineSet of machinedeployment_sync.go. */
    private GenericKubernetesResource createSet(Rollout rollout) {
        GenericKubernetesResource deployment = rollout.deployment;
        String base = deployment.getMetadata().getName() + "-";
        String suffix = Clusters.randomSuffix();
        String name = base.substring(0, Math.min(base.length(), MAX_NAME_BASE)) + suffix;
        String unique = templateHash(deployment) + "-" + suffix;
        int replicas = newSetReplicas(rollout, rollout.old, 0);
        GenericKubernetesResource set = new GenericKubernetesResourceBuilder()
                .withApiVersion(Kind.MACHINE_SET.apiVersion()).withKind(Capi.MACHINE_SET)
                .withNewMetadata().withName(name).withNamespace(deployment.getMetadata().getNamespace())
                .withOwnerReferences(Api.ownerReference(deployment, true))
                .endMetadata().build();
        Map<String, Object> template = new LinkedHashMap<>(Api.normalized(
                ObjectMaps.at(deployment, "spec", "template").orElse(Map.of())));
        set.setAdditionalProperty("spec", ObjectMaps.map(
                "clusterName", rollout.cluster.getMetadata().getName(),
                "replicas", replicas,
                "template", template));
        inPlaceFields(rollout, set, unique, null);
        GenericKubernetesResource created = api.createOrGet(Kind.MACHINE_SET, set);
        LOG.info("[{}] MachineDeployment {}: created MachineSet {} with {} replicas ({})", host.name(),
                Key.of(deployment), name, replicas, rollout.old.isEmpty() ? "no MachineSets exist"
                        : "no MachineSet matches the machine template");
        return created;
    }

    /** updateMachineSet: the new set takes what changes without a rollout. */
    private GenericKubernetesResource updateSet(Rollout rollout, GenericKubernetesResource set) {
        String unique = Api.labels(set).get(TEMPLATE_HASH_LABEL);
        if (unique == null) {
            throw new IllegalStateException("failed to compute desired MachineSet: failed to get unique identifier from \""
                    + TEMPLATE_HASH_LABEL + "\" annotation");
        }
        return api.change(Kind.MACHINE_SET, set, s -> {
            inPlaceFields(rollout, s, unique, set);
            return s;
        });
    }

    /**
     * The in-place mutable fields of computeDesiredMachineSet: labels, selector, annotations (with the revision),
     * minReadySeconds, deletePolicy, the node timeouts and readiness gates, the machine naming strategy.
     */
    private static void inPlaceFields(Rollout rollout, GenericKubernetesResource set, String unique,
                                      GenericKubernetesResource existing) {
        GenericKubernetesResource deployment = rollout.deployment;
        Map<String, String> templateLabels = new LinkedHashMap<>(Templates.stringMap(
                ObjectMaps.at(deployment, "spec", "template", "metadata", "labels").orElse(null)));
        templateLabels.put(TEMPLATE_HASH_LABEL, unique);
        Map<String, String> labels = new LinkedHashMap<>(Api.labels(set));
        labels.putAll(templateLabels);
        labels.put(Capi.DEPLOYMENT_NAME_LABEL, deployment.getMetadata().getName());
        labels.putIfAbsent(Capi.CLUSTER_NAME_LABEL, rollout.cluster.getMetadata().getName());
        set.getMetadata().setLabels(labels);
        Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(set));
        annotations.putAll(setAnnotations(rollout, existing));
        set.getMetadata().setAnnotations(annotations);

        Map<String, Object> spec = ObjectMaps.mapAt(set, "spec");
        Map<String, String> selector = new LinkedHashMap<>(Templates.stringMap(
                ObjectMaps.at(deployment, "spec", "selector", "matchLabels").orElse(null)));
        selector.put(TEMPLATE_HASH_LABEL, unique);
        Map<String, Object> selectorSpec = new LinkedHashMap<>(Api.normalized(
                ObjectMaps.at(deployment, "spec", "selector").orElse(Map.of())));
        selectorSpec.put("matchLabels", selector);
        spec.put("selector", selectorSpec);
        Map<String, Object> templateMetadata = ObjectMaps.mapAt(set, "spec", "template", "metadata");
        templateMetadata.put("labels", templateLabels);
        Map<String, String> templateAnnotations = Templates.stringMap(
                ObjectMaps.at(deployment, "spec", "template", "metadata", "annotations").orElse(null));
        putOrRemove(templateMetadata, "annotations", templateAnnotations.isEmpty() ? null : templateAnnotations);
        spec.put("minReadySeconds", ObjectMaps.at(deployment, "spec", "minReadySeconds").orElse(0));
        putOrRemove(spec, "deletePolicy",
                ObjectMaps.at(deployment, "spec", "strategy", "rollingUpdate", "deletePolicy").orElse(null));
        putOrRemove(spec, "machineNamingStrategy",
                ObjectMaps.at(deployment, "spec", "machineNamingStrategy").orElse(null));
        Map<String, Object> machineSpec = ObjectMaps.mapAt(set, "spec", "template", "spec");
        for (String field : IN_PLACE_MACHINE_FIELDS) {
            putOrRemove(machineSpec, field, ObjectMaps.at(deployment, "spec", "template", "spec", field).orElse(null));
        }
    }

    private static void putOrRemove(Map<String, Object> map, String key, Object value) {
        if (value == null) {
            map.remove(key);
        } else {
            map.put(key, value);
        }
    }

    /**
     * mdutil.ComputeMachineSetAnnotations: the deployment's annotations, the revision (one above the old sets', never
     * lowered; a changed one goes into the history) and the replicas it is scaled for.
     */
    private static Map<String, String> setAnnotations(Rollout rollout, GenericKubernetesResource existing) {
        Map<String, String> annotations = new LinkedHashMap<>();
        Api.annotations(rollout.deployment).forEach((k, v) -> {
            if (!NOT_COPIED.contains(k)) {
                annotations.put(k, v);
            }
        });
        long revision = rollout.old.stream().mapToLong(MachineDeploymentController::revision).max().orElse(0) + 1;
        if (existing != null) {
            String current = Api.annotations(existing).get(REVISION_ANNOTATION);
            String history = Api.annotations(existing).get(REVISION_HISTORY_ANNOTATION);
            if (current != null && revision < Long.parseLong(current)) {
                revision = Long.parseLong(current);
            }
            if (history != null) {
                annotations.put(REVISION_HISTORY_ANNOTATION, history);
            }
            if (current != null && !current.equals(String.valueOf(revision))) {
                annotations.put(REVISION_HISTORY_ANNOTATION, history == null || history.isEmpty() ? current
                        : history + "," + current);
            }
        }
        annotations.put(REVISION_ANNOTATION, String.valueOf(revision));
        annotations.put(DESIRED_REPLICAS_ANNOTATION, String.valueOf(rollout.replicas));
        annotations.put(MAX_REPLICAS_ANNOTATION, String.valueOf(rollout.replicas + rollout.maxSurge()));
        return annotations;
    }

    private static long revision(GenericKubernetesResource set) {
        try {
            return Long.parseLong(Api.annotations(set).getOrDefault(REVISION_ANNOTATION, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The template hash of the {@code machine-template-hash} label: a hash of the fields that roll (upstream hashes
     * its Go struct, which no other program reproduces; only its being a number matters).
     */
    private static String templateHash(GenericKubernetesResource deployment) {
        byte[] json = io.fabric8.kubernetes.client.utils.Serialization.asJson(rolloutFields(
                ObjectMaps.at(deployment, "spec", "template", "spec").orElse(Map.of()))).getBytes(StandardCharsets.UTF_8);
        int hash = 0x811c9dc5;
        for (byte b : json) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        return Integer.toUnsignedString(hash);
    }

    /** scaleMachineSet: replicas, and the annotations saying what the deployment was scaled for. */
    private void scale(Rollout rollout, GenericKubernetesResource set, int replicas) {
        int before = specReplicas(set);
        String desired = String.valueOf(rollout.replicas);
        String most = String.valueOf(rollout.replicas + rollout.maxSurge());
        Map<String, String> annotations = Api.annotations(set);
        if (before == replicas && desired.equals(annotations.get(DESIRED_REPLICAS_ANNOTATION))
                && most.equals(annotations.get(MAX_REPLICAS_ANNOTATION))) {
            return;
        }
        GenericKubernetesResource written = api.change(Kind.MACHINE_SET, set, s -> {
            ObjectMaps.mapAt(s, "spec").put("replicas", replicas);
            Map<String, String> updated = new LinkedHashMap<>(Api.annotations(s));
            updated.put(DESIRED_REPLICAS_ANNOTATION, desired);
            updated.put(MAX_REPLICAS_ANNOTATION, most);
            s.getMetadata().setAnnotations(updated);
            return s;
        });
        set.getMetadata().setGeneration(written.getMetadata().getGeneration());
        if (before != replicas) {
            LOG.info("[{}] MachineDeployment {}: scaled MachineSet {} from {} to {}", host.name(),
                    Key.of(rollout.deployment), set.getMetadata().getName(), before, replicas);
        }
    }

    static int specReplicas(GenericKubernetesResource set) {
        return ObjectMaps.integer(set, 1, "spec", "replicas");
    }

    private static int statusReplicas(GenericKubernetesResource set) {
        return set == null ? 0 : ObjectMaps.integer(set, 0, "status", "replicas");
    }

    private static int available(GenericKubernetesResource set) {
        return set == null ? 0 : ObjectMaps.integer(set, 0, "status", "availableReplicas");
    }

    private static int sumSpecReplicas(List<GenericKubernetesResource> sets) {
        return sets.stream().mapToInt(MachineDeploymentController::specReplicas).sum();
    }

    private static Instant created(GenericKubernetesResource object) {
        String timestamp = object.getMetadata().getCreationTimestamp();
        return timestamp == null ? Instant.EPOCH : Instant.parse(timestamp);
    }

    /** MachineSetsByCreationTimestamp. */
    private static List<GenericKubernetesResource> oldestFirst(List<GenericKubernetesResource> sets) {
        return sets.stream().sorted(Comparator.comparing(MachineDeploymentController::created)
                .thenComparing(s -> s.getMetadata().getName())).toList();
    }

    // the deployment

    /** SetDeploymentRevision: the deployment carries the new set's revision. */
    private void writeRevision(Rollout rollout) {
        if (rollout.newSet == null) {
            return;
        }
        String revision = Api.annotations(rollout.newSet).get(REVISION_ANNOTATION);
        if (revision == null || revision.equals(Api.annotations(rollout.deployment).get(REVISION_ANNOTATION))) {
            return;
        }
        api.change(Kind.MACHINE_DEPLOYMENT, rollout.deployment, d -> {
            Map<String, String> annotations = new LinkedHashMap<>(Api.annotations(d));
            annotations.put(REVISION_ANNOTATION, revision);
            d.getMetadata().setAnnotations(annotations);
            return d;
        });
    }

    /** syncDeploymentStatus / calculateStatus of machinedeployment_sync.go. */
    private void writeStatus(Rollout rollout) {
        GenericKubernetesResource deployment = rollout.deployment;
        int desired = rollout.replicas;
        int replicas = 0;
        int ready = 0;
        int available = 0;
        boolean failed = false;
        for (GenericKubernetesResource set : rollout.all()) {
            replicas += statusReplicas(set);
            ready += ObjectMaps.integer(set, 0, "status", "readyReplicas");
            available += available(set);
            failed |= ObjectMaps.at(set, "status", "failureReason").isPresent()
                    || ObjectMaps.at(set, "status", "failureMessage").isPresent();
        }
        Map<String, Object> status = new LinkedHashMap<>(Api.normalized(deployment.getAdditionalProperties().get("status")));
        status.put("observedGeneration", deployment.getMetadata().getGeneration());
        status.put("selector", selector(deployment));
        status.put("replicas", replicas);
        status.put("updatedReplicas", statusReplicas(rollout.newSet));
        status.put("readyReplicas", ready);
        status.put("availableReplicas", available);
        status.put("unavailableReplicas", Math.max(0, replicas - available));
        String phase = (String) status.get("phase");
        if (desired == ready) {
            phase = "Running";
        }
        if (desired > ready) {
            phase = "ScalingUp";
        }
        if (replicas - available < 0) {
            phase = "ScalingDown";
        }
        if (failed) {
            phase = "Failed";
        }
        if (phase != null) {
            status.put("phase", phase);
        }
        Conditions conditions = Conditions.of(deployment);
        int needed = desired - rollout.maxUnavailable();
        if (available >= needed) {
            conditions.markTrue(Capi.CONDITION_AVAILABLE);
        } else {
            conditions.markFalse(Capi.CONDITION_AVAILABLE, "WaitingForAvailableMachines", Conditions.WARNING,
                    "Minimum availability requires " + needed + " replicas, current " + available + " available");
        }
        if (rollout.newSet != null) {
            conditions.mirror("MachineSetReady", rollout.newSet, false, "WaitingForMachineSet", Conditions.INFO);
        } else {
            conditions.markFalse("MachineSetReady", "WaitingForMachineSet", Conditions.INFO, "MachineSet not found");
        }
        conditions.summary(Capi.CONDITION_AVAILABLE);
        status.put("conditions", conditions.toList());
        api.writeStatus(Kind.MACHINE_DEPLOYMENT, deployment, status);
    }

    static String selector(GenericKubernetesResource object) {
        Map<String, String> labels = Templates.stringMap(ObjectMaps.at(object, "spec", "selector", "matchLabels")
                .orElse(null));
        return labels.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + "," + b).orElse("");
    }
}
