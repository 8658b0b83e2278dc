package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CAPI's MachineDeployment controller ({@code internal/controllers/machinedeployment}), without rollouts yet: its
 * finalizer first; the Cluster as owner of the deployment and of its templates; one MachineSet (named
 * {@code <deployment>-<random>}, labelled with that suffix as {@code machine-template-hash}) kept at the
 * deployment's replicas; status summed from its MachineSets. Deletion deletes the MachineSets and waits for them.
 */
final class MachineDeploymentController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(MachineDeploymentController.class);
    static final String FINALIZER = "cluster.x-k8s.io/machinedeployment";
    static final String TEMPLATE_HASH_LABEL = "machine-template-hash";
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
        for (GenericKubernetesResource deployment : api.ofCluster(Kind.MACHINE_DEPLOYMENT, key.namespace(), key.name())) {
            reconcile(deployment, cluster);
        }
        return done();
    }

    private void reconcile(GenericKubernetesResource deployment, GenericKubernetesResource cluster) {
        if (api.ensureFinalizer(Kind.MACHINE_DEPLOYMENT, deployment, FINALIZER)) {
            return;
        }
        if (cluster == null || Clusters.paused(cluster, deployment)) {
            return;
        }
        List<GenericKubernetesResource> sets = ownSets(deployment);
        if (Api.deleting(deployment)) {
            if (sets.isEmpty()) {
                api.removeFinalizer(Kind.MACHINE_DEPLOYMENT, deployment, FINALIZER);
                return;
            }
            sets.forEach(set -> api.delete(Kind.MACHINE_SET, set));
            writeStatus(deployment, sets, null);
            return;
        }
        GenericKubernetesResource owned = api.change(Kind.MACHINE_DEPLOYMENT, deployment, d -> {
            Map<String, String> labels = new LinkedHashMap<>(Api.labels(d));
            labels.put(Capi.CLUSTER_NAME_LABEL, ObjectMaps.string(d, "spec", "clusterName")
                    .orElse(cluster.getMetadata().getName()));
            d.getMetadata().setLabels(labels);
            Api.ensureOwnerReference(d, Api.ownerReference(cluster, false));
            return d;
        });
        ownTemplates(owned, cluster);
        int replicas = ObjectMaps.integer(owned, 1, "spec", "replicas");
        GenericKubernetesResource newest;
        if (sets.isEmpty()) {
            newest = createSet(owned, cluster, replicas);
            sets = List.of(newest);
        } else {
            newest = sets.get(sets.size() - 1);
            if (ObjectMaps.integer(newest, 1, "spec", "replicas") != replicas) {
                newest = api.change(Kind.MACHINE_SET, newest, set -> {
                    ObjectMaps.mapAt(set, "spec").put("replicas", replicas);
                    return set;
                });
                LOG.info("[{}] MachineDeployment {}: scaled MachineSet {} to {}", host.name(), Key.of(owned),
                        newest.getMetadata().getName(), replicas);
            }
        }
        writeStatus(owned, sets, newest);
    }

    /** The MachineSets this deployment controls, oldest first. */
    private List<GenericKubernetesResource> ownSets(GenericKubernetesResource deployment) {
        return api.list(Kind.MACHINE_SET, deployment.getMetadata().getNamespace(),
                        Map.of(Capi.DEPLOYMENT_NAME_LABEL, deployment.getMetadata().getName())).stream()
                .filter(set -> Api.controllerOf(set).map(o -> o.getUid().equals(deployment.getMetadata().getUid()))
                        .orElse(false))
                .sorted(java.util.Comparator.comparing((GenericKubernetesResource s) ->
                        String.valueOf(s.getMetadata().getCreationTimestamp())).thenComparing(s -> s.getMetadata().getName()))
                .toList();
    }

    /** getTemplatesAndSetOwner: the Cluster becomes an owner of the templates the deployment clones from. */
    private void ownTemplates(GenericKubernetesResource deployment, GenericKubernetesResource cluster) {
        for (Object reference : List.of(
                ObjectMaps.at(deployment, "spec", "template", "spec", "infrastructureRef").orElse(Map.of()),
                ObjectMaps.at(deployment, "spec", "template", "spec", "bootstrap", "configRef").orElse(Map.of()))) {
            api.referenced(reference, deployment.getMetadata().getNamespace()).filter(java.util.Objects::nonNull)
                    .ifPresent(template -> {
                        if (Api.ownedBy(template, cluster)) {
                            return;
                        }
                        Kind kind = Api.kindOf((Map<?, ?>) reference).orElseThrow();
                        api.change(kind, template, t -> {
                            Api.ensureOwnerReference(t, Api.ownerReference(cluster, false));
                            return t;
                        });
                    });
        }
    }

    /** computeDesiredMachineSet of machinedeployment_sync.go. */
    private GenericKubernetesResource createSet(GenericKubernetesResource deployment, GenericKubernetesResource cluster,
                                                int replicas) {
        String suffix = Clusters.randomSuffix();
        String name = deployment.getMetadata().getName() + "-" + suffix;
        Map<String, String> templateLabels = new LinkedHashMap<>(Templates.stringMap(
                ObjectMaps.at(deployment, "spec", "template", "metadata", "labels").orElse(null)));
        templateLabels.put(TEMPLATE_HASH_LABEL, suffix);
        templateLabels.put(Capi.DEPLOYMENT_NAME_LABEL, deployment.getMetadata().getName());
        Map<String, String> selector = new LinkedHashMap<>(Templates.stringMap(
                ObjectMaps.at(deployment, "spec", "selector", "matchLabels").orElse(null)));
        selector.put(TEMPLATE_HASH_LABEL, suffix);
        Map<String, String> labels = new LinkedHashMap<>(templateLabels);
        labels.put(Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName());
        Map<String, Object> template = new LinkedHashMap<>(Api.normalized(
                ObjectMaps.at(deployment, "spec", "template").orElse(Map.of())));
        Map<String, Object> templateMetadata = new LinkedHashMap<>(Api.normalized(template.get("metadata")));
        templateMetadata.put("labels", templateLabels);
        template.put("metadata", templateMetadata);
        GenericKubernetesResource set = new GenericKubernetesResourceBuilder()
                .withApiVersion(Kind.MACHINE_SET.apiVersion()).withKind(Capi.MACHINE_SET)
                .withNewMetadata().withName(name).withNamespace(deployment.getMetadata().getNamespace())
                .withLabels(labels).withOwnerReferences(Api.ownerReference(deployment, true))
                .endMetadata().build();
        set.setAdditionalProperty("spec", ObjectMaps.map(
                "clusterName", cluster.getMetadata().getName(),
                "deletePolicy", ObjectMaps.at(deployment, "spec", "strategy", "rollingUpdate", "deletePolicy").orElse(null),
                "minReadySeconds", ObjectMaps.at(deployment, "spec", "minReadySeconds").orElse(null),
                "replicas", replicas,
                "selector", ObjectMaps.map("matchLabels", selector),
                "template", template));
        GenericKubernetesResource created = api.createOrGet(Kind.MACHINE_SET, set);
        LOG.info("[{}] MachineDeployment {}: created MachineSet {} with {} replicas", host.name(), Key.of(deployment),
                name, replicas);
        return created;
    }

    /** syncDeploymentStatus / calculateStatus of machinedeployment_sync.go. */
    private void writeStatus(GenericKubernetesResource deployment, List<GenericKubernetesResource> sets,
                             GenericKubernetesResource newest) {
        int desired = ObjectMaps.integer(deployment, 1, "spec", "replicas");
        int replicas = 0;
        int ready = 0;
        int available = 0;
        boolean failed = false;
        for (GenericKubernetesResource set : sets) {
            replicas += ObjectMaps.integer(set, 0, "status", "replicas");
            ready += ObjectMaps.integer(set, 0, "status", "readyReplicas");
            available += ObjectMaps.integer(set, 0, "status", "availableReplicas");
            failed |= ObjectMaps.at(set, "status", "failureReason").isPresent()
                    || ObjectMaps.at(set, "status", "failureMessage").isPresent();
        }
        Map<String, Object> status = new LinkedHashMap<>(Api.normalized(deployment.getAdditionalProperties().get("status")));
        status.put("observedGeneration", deployment.getMetadata().getGeneration());
        status.put("selector", selector(deployment));
        status.put("replicas", replicas);
        status.put("updatedReplicas", newest == null ? 0 : ObjectMaps.integer(newest, 0, "status", "replicas"));
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
        // the default strategy (what the webhook defaults): RollingUpdate, maxUnavailable 0
        int maxUnavailable = ObjectMaps.integer(deployment, 0, "spec", "strategy", "rollingUpdate", "maxUnavailable");
        int needed = desired - maxUnavailable;
        if (available >= needed) {
            conditions.markTrue(Capi.CONDITION_AVAILABLE);
        } else {
            conditions.markFalse(Capi.CONDITION_AVAILABLE, "WaitingForAvailableMachines", Conditions.WARNING,
                    "Minimum availability requires " + needed + " replicas, current " + available + " available");
        }
        if (newest != null) {
            conditions.mirror("MachineSetReady", newest, false, "WaitingForMachineSet", Conditions.INFO);
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
