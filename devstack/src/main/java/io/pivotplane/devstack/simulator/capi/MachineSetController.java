package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CAPI's MachineSet controller ({@code internal/controllers/machineset}): its finalizer first; Machines created
 * after its template (a KubeadmConfig from the referenced {@code KubeadmConfigTemplate} and an infrastructure
 * machine from the infrastructure template, both named like the Machine and owned by the set until the Machine takes
 * them over) once its preflight checks pass (the control plane is not provisioning or upgrading, and the version
 * skew is allowed); surplus Machines deleted (those asked to be deleted first, then those without a Ready Node, then
 * the newest); none are created while its deployment's OnDelete rollout disables creation on it;
 * {@code readyReplicas} counts Machines whose Node is Ready, {@code availableReplicas} those Ready for longer than
 * {@code minReadySeconds}. Deletion deletes its Machines and waits for them.
 */
final class MachineSetController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(MachineSetController.class);
    static final String FINALIZER = "cluster.x-k8s.io/machineset";
    private static final Set<String> WATCHES = Set.of(Capi.MACHINE_SET, Capi.MACHINE, Capi.CLUSTER,
            Capi.KUBEADM_CONTROL_PLANE);

    MachineSetController(ControllerHost host) {
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
    boolean watchesWorkloads() {
        return true;
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        GenericKubernetesResource cluster = api.get(Kind.CLUSTER, key.namespace(), key.name());
        Optional<Duration> again = done();
        for (GenericKubernetesResource set : api.ofCluster(Kind.MACHINE_SET, key.namespace(), key.name())) {
            again = MachineController.earliest(again, reconcile(set, cluster));
        }
        return again;
    }

    private Optional<Duration> reconcile(GenericKubernetesResource set, GenericKubernetesResource cluster) {
        if (api.ensureFinalizer(Kind.MACHINE_SET, set, FINALIZER)) {
            return done();
        }
        if (cluster == null || Clusters.paused(cluster, set)) {
            return done();
        }
        List<GenericKubernetesResource> machines = machines(set);
        if (Api.deleting(set)) {
            if (machines.isEmpty()) {
                api.removeFinalizer(Kind.MACHINE_SET, set, FINALIZER);
                return done();
            }
            machines.forEach(machine -> api.delete(Kind.MACHINE, machine));
            return done();
        }
        GenericKubernetesResource owned = api.change(Kind.MACHINE_SET, set, s -> {
            Map<String, String> labels = new LinkedHashMap<>(Api.labels(s));
            labels.put(Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName());
            s.getMetadata().setLabels(labels);
            if (Api.controllerOf(s).isEmpty() && Api.owner(s, Capi.CLUSTER).isEmpty()) {
                Api.ensureOwnerReference(s, Api.ownerReference(cluster, false));
            }
            return s;
        });
        Conditions conditions = Conditions.of(owned);
        machines = remediateUnhealthy(owned, machines);
        List<GenericKubernetesResource> active = machines.stream().filter(m -> !Api.deleting(m)).toList();
        int desired = ObjectMaps.integer(owned, 1, "spec", "replicas");
        int diff = active.size() - desired;
        boolean creationDisabled = Api.annotations(owned)
                .containsKey(MachineDeploymentController.DISABLE_MACHINE_CREATE_ANNOTATION);
        if (diff < 0 && creationDisabled) {
            LOG.debug("[{}] MachineSet {}: automatic creation of new machines disabled", host.name(), Key.of(owned));
        } else if (diff < 0) {
            Optional<String> preflight = preflightChecks(owned, cluster);
            if (preflight.isPresent()) {
                conditions.markFalse("MachinesCreated", "PreflightCheckFailed", Conditions.ERROR, preflight.get());
            } else {
                for (int i = 0; i < -diff; i++) {
                    createMachine(owned, cluster);
                }
                conditions.markTrue("MachinesCreated");
                machines = machines(owned);
            }
        } else if (diff > 0) {
            for (GenericKubernetesResource machine : toDelete(active, diff, cluster)) {
                LOG.info("[{}] MachineSet {}: deleting Machine {} (scale down)", host.name(), Key.of(owned),
                        machine.getMetadata().getName());
                api.delete(Kind.MACHINE, machine);
            }
        }
        return writeStatus(owned, cluster, machines, conditions);
    }

    /**
     * reconcileUnhealthyMachines: a Machine a MachineHealthCheck found unhealthy ({@code OwnerRemediated=False}) is
     * deleted, and the set makes a new one in its place as it would for any missing replica.
     */
    private List<GenericKubernetesResource> remediateUnhealthy(GenericKubernetesResource set,
                                                               List<GenericKubernetesResource> machines) {
        List<GenericKubernetesResource> left = new ArrayList<>();
        for (GenericKubernetesResource machine : machines) {
            if (!Api.deleting(machine) && Conditions.of(machine).get(Capi.CONDITION_OWNER_REMEDIATED)
                    .map(c -> "False".equals(c.get("status"))).orElse(false)) {
                LOG.info("[{}] MachineSet {}: deleting unhealthy Machine {}", host.name(), Key.of(set),
                        machine.getMetadata().getName());
                api.delete(Kind.MACHINE, machine);
                continue;
            }
            left.add(machine);
        }
        return left;
    }

    /** The Machines its selector picks that it controls. */
    private List<GenericKubernetesResource> machines(GenericKubernetesResource set) {
        Map<String, String> selector = Templates.stringMap(ObjectMaps.at(set, "spec", "selector", "matchLabels")
                .orElse(null));
        return api.list(Kind.MACHINE, set.getMetadata().getNamespace(), selector).stream()
                .filter(m -> Api.controllerOf(m).map(o -> o.getUid().equals(set.getMetadata().getUid())).orElse(false))
                .toList();
    }

    /** machineset_preflight.go: ControlPlaneIsStable and KubernetesVersionSkew. */
    private Optional<String> preflightChecks(GenericKubernetesResource set, GenericKubernetesResource cluster) {
        Optional<GenericKubernetesResource> controlPlane = api.referenced(
                ObjectMaps.at(cluster, "spec", "controlPlaneRef").orElse(null), cluster.getMetadata().getNamespace());
        if (controlPlane.isEmpty() || controlPlane.get() == null) {
            return Optional.empty();
        }
        GenericKubernetesResource kcp = controlPlane.get();
        Optional<String> specVersion = ObjectMaps.string(kcp, "spec", "version");
        if (specVersion.isEmpty()) {
            return Optional.empty();
        }
        String reference = kcp.getKind() + " " + Key.of(kcp);
        Optional<String> statusVersion = ObjectMaps.string(kcp, "status", "version").filter(v -> !v.isEmpty());
        if (statusVersion.isEmpty()) {
            return Optional.of(reference + " is provisioning (\"ControlPlaneIsStable\" preflight check failed)");
        }
        if (!statusVersion.get().equals(specVersion.get())) {
            return Optional.of(reference + " is upgrading (\"ControlPlaneIsStable\" preflight check failed)");
        }
        Optional<String> machineVersion = ObjectMaps.string(set, "spec", "template", "spec", "version");
        if (machineVersion.isPresent()) {
            int controlPlaneMinor = minor(specVersion.get());
            int setMinor = minor(machineVersion.get());
            if (setMinor > controlPlaneMinor || setMinor < controlPlaneMinor - 3) {
                return Optional.of("MachineSet version (" + machineVersion.get() + ") and ControlPlane version ("
                        + specVersion.get() + ") do not conform to the kubernetes version skew policy"
                        + " (\"KubernetesVersionSkew\" preflight check failed)");
            }
        }
        return Optional.empty();
    }

    private static int minor(String version) {
        String[] parts = version.replaceFirst("^v", "").split("\\.");
        return parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("[^0-9].*", "")) : 0;
    }

    /** computeDesiredMachine of machineset_controller.go, with its bootstrap config and infrastructure machine. */
    private void createMachine(GenericKubernetesResource set, GenericKubernetesResource cluster) {
        String namespace = set.getMetadata().getNamespace();
        String name = set.getMetadata().getName() + "-" + Clusters.randomSuffix();
        Map<String, String> labels = new LinkedHashMap<>(Templates.stringMap(
                ObjectMaps.at(set, "spec", "template", "metadata", "labels").orElse(null)));
        labels.put(Capi.SET_NAME_LABEL, set.getMetadata().getName());
        labels.put(Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName());
        Map<String, String> annotations = Templates.stringMap(
                ObjectMaps.at(set, "spec", "template", "metadata", "annotations").orElse(null));
        OwnerReference byTheSet = Api.ownerReference(set, false);
        Map<String, Object> spec = new LinkedHashMap<>(Api.normalized(
                ObjectMaps.at(set, "spec", "template", "spec").orElse(Map.of())));
        Object bootstrapTemplate = ObjectMaps.at(set, "spec", "template", "spec", "bootstrap", "configRef").orElse(null);
        Map<String, Object> bootstrap = new LinkedHashMap<>(Api.normalized(spec.get("bootstrap")));
        if (bootstrapTemplate != null) {
            bootstrap.put("configRef", Templates.createFromTemplate(api, bootstrapTemplate, namespace, name, byTheSet,
                    cluster.getMetadata().getName(), labels, annotations));
        }
        spec.put("bootstrap", bootstrap);
        spec.put("infrastructureRef", Templates.createFromTemplate(api,
                ObjectMaps.at(set, "spec", "template", "spec", "infrastructureRef").orElse(null), namespace, name,
                byTheSet, cluster.getMetadata().getName(), labels, annotations));
        spec.put("clusterName", cluster.getMetadata().getName());
        GenericKubernetesResource machine = new GenericKubernetesResourceBuilder()
                .withApiVersion(Kind.MACHINE.apiVersion()).withKind(Capi.MACHINE)
                .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels)
                .withAnnotations(annotations).withOwnerReferences(Api.ownerReference(set, true))
                .withFinalizers(MachineController.FINALIZER)
                .endMetadata().build();
        machine.setAdditionalProperty("spec", spec);
        api.createOrGet(Kind.MACHINE, machine);
        LOG.info("[{}] MachineSet {}: created Machine {}", host.name(), Key.of(set), name);
    }

    /** The Random delete policy's order: asked to be deleted, then not (yet) a Ready Node, then newest. */
    private List<GenericKubernetesResource> toDelete(List<GenericKubernetesResource> machines, int count,
                                                     GenericKubernetesResource cluster) {
        Optional<KubernetesClient> workload = host.remote().workload(Key.of(cluster)).map(ClusterApi::client);
        List<GenericKubernetesResource> sorted = new ArrayList<>(machines);
        sorted.sort(Comparator
                .comparing((GenericKubernetesResource m) -> !Api.annotations(m).containsKey(Clusters.DELETE_MACHINE_ANNOTATION))
                .thenComparing(m -> ready(m, workload))
                .thenComparing((GenericKubernetesResource m) -> String.valueOf(m.getMetadata().getCreationTimestamp()),
                        Comparator.reverseOrder())
                .thenComparing(m -> m.getMetadata().getName(), Comparator.reverseOrder()));
        return sorted.subList(0, Math.min(count, sorted.size()));
    }

    private static boolean ready(GenericKubernetesResource machine, Optional<KubernetesClient> workload) {
        Optional<String> node = ObjectMaps.string(machine, "status", "nodeRef", "name");
        if (node.isEmpty() || workload.isEmpty()) {
            return false;
        }
        return Clusters.nodeReady(workload.get().nodes().withName(node.get()).get());
    }

    /**
     * reconcileStatus of machineset_controller.go; again after minReadySeconds while a ready replica is not available
     * yet, as upstream requeues.
     */
    private Optional<Duration> writeStatus(GenericKubernetesResource set, GenericKubernetesResource cluster,
                                           List<GenericKubernetesResource> machines, Conditions conditions) {
        Optional<KubernetesClient> workload = host.remote().workload(Key.of(cluster)).map(ClusterApi::client);
        Map<String, String> templateLabels = Templates.stringMap(
                ObjectMaps.at(set, "spec", "template", "metadata", "labels").orElse(null));
        int minReadySeconds = ObjectMaps.integer(set, 0, "spec", "minReadySeconds");
        Instant now = Instant.now();
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (GenericKubernetesResource machine : machines) {
            if (Api.labels(machine).entrySet().containsAll(templateLabels.entrySet())) {
                fullyLabeled++;
            }
            Optional<String> nodeName = ObjectMaps.string(machine, "status", "nodeRef", "name");
            if (nodeName.isEmpty() || workload.isEmpty()) {
                continue;
            }
            Node node = workload.get().nodes().withName(nodeName.get()).get();
            if (Clusters.nodeReady(node)) {
                ready++;
                if (nodeAvailable(node, minReadySeconds, now)) {
                    available++;
                }
            }
        }
        int desired = ObjectMaps.integer(set, 1, "spec", "replicas");
        Map<String, Object> status = new LinkedHashMap<>(Api.normalized(set.getAdditionalProperties().get("status")));
        status.put("selector", MachineDeploymentController.selector(set));
        status.put("replicas", machines.size());
        status.put("fullyLabeledReplicas", fullyLabeled);
        status.put("readyReplicas", ready);
        status.put("availableReplicas", available);
        status.put("observedGeneration", set.getMetadata().getGeneration());
        if (machines.size() == desired && ready == desired) {
            conditions.markTrue("Resized");
        } else if (machines.size() < desired) {
            conditions.markFalse("Resized", "ScalingUp", Conditions.WARNING,
                    "Scaling up MachineSet to " + desired + " replicas (actual " + machines.size() + ")");
        } else if (machines.size() > desired) {
            conditions.markFalse("Resized", "ScalingDown", Conditions.WARNING,
                    "Scaling down MachineSet to " + desired + " replicas (actual " + machines.size() + ")");
        }
        long notReady = machines.stream().filter(m -> !Clusters.conditionTrue(m, "Ready")).count();
        if (notReady == 0) {
            conditions.markTrue("MachinesReady");
        } else {
            conditions.markFalse("MachinesReady", "Detached", Conditions.INFO,
                    notReady + " of " + machines.size() + " Machines are not ready");
        }
        conditions.summary("MachinesCreated", "Resized", "MachinesReady");
        status.put("conditions", conditions.toList());
        api.writeStatus(Kind.MACHINE_SET, set, status);
        return minReadySeconds > 0 && available < ready ? after(Duration.ofSeconds(minReadySeconds)) : done();
    }

    /** noderefutil.IsNodeAvailable: Ready for longer than minReadySeconds. */
    private static boolean nodeAvailable(Node node, int minReadySeconds, Instant now) {
        if (minReadySeconds == 0) {
            return true;
        }
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(c -> c.getLastTransitionTime()).filter(t -> t != null && !t.isEmpty()).findFirst()
                .map(t -> Instant.parse(t).plusSeconds(minReadySeconds).isBefore(now)).orElse(false);
    }
}
