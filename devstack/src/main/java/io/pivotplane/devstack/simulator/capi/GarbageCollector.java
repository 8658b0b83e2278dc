package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pivotplane.capi.Capi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' garbage collector, which fabric8's API server does not have: once an object is deleted, every object
 * whose owners (by uid) are all gone is deleted too, and so on down the owner chain (a MachineSet takes its Machines,
 * a Machine its KubeadmConfig, a KubeadmConfig its bootstrap Secret). It looks at every kind the API knows: the
 * built-in kinds objects are commonly owned in, and every kind a CRD in the cluster defines.
 *
 * <p>When the deleted object belongs to a Cluster (its {@code cluster.x-k8s.io/cluster-name} label), it looks at
 * that Cluster's objects only, so that a thousand clusters in one namespace do not make each deletion a scan of them
 * all; otherwise at the deleted object's namespace, or at everything for a cluster-scoped owner. Whether an owner
 * still exists is always asked of the API, so the narrower look never deletes what the real collector would keep.
 */
final class GarbageCollector extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    private static final String EVERY_CLUSTER = "";
    /** Cluster-scoped kinds whose deletion is not a matter of owner references. */
    private static final Set<String> NOT_OWNERS = Set.of(Kind.NODE.kind(), Kind.NAMESPACE.kind(), Kind.EVENT.kind(),
            Kind.CUSTOM_RESOURCE_DEFINITION.kind());
    private static final String ANY_NAMESPACE = "*";

    GarbageCollector(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return null;
    }

    @Override
    Set<String> watches() {
        return Set.of();
    }

    @Override
    Set<Key> allKeys() {
        return Set.of();
    }

    /** An object was deleted: its dependents may be orphans now. */
    void deleted(GenericKubernetesResource object) {
        if (NOT_OWNERS.contains(object.getKind())) {
            return;
        }
        String namespace = object.getMetadata().getNamespace();
        String cluster = Api.labels(object).getOrDefault(Capi.CLUSTER_NAME_LABEL, EVERY_CLUSTER);
        if (Capi.CLUSTER.equals(object.getKind())) {
            cluster = object.getMetadata().getName();
        }
        host.enqueue(this, new Key(namespace == null ? ANY_NAMESPACE : namespace, cluster), Duration.ZERO);
    }

    @Override
    Optional<Duration> reconcile(Key scope) {
        List<Kind> crdKinds = crdKinds();
        Map<String, String> labels = scope.name().equals(EVERY_CLUSTER) ? Map.of()
                : Map.of(Capi.CLUSTER_NAME_LABEL, scope.name());
        List<Candidate> objects = new ArrayList<>();
        Set<String> uids = new HashSet<>();
        List<Kind> kinds = new ArrayList<>(Kind.BUILT_IN);
        kinds.addAll(crdKinds);
        for (Kind kind : kinds) {
            if (NOT_OWNERS.contains(kind.kind())) {
                continue;
            }
            try {
                List<GenericKubernetesResource> found = !kind.namespaced() || scope.namespace().equals(ANY_NAMESPACE)
                        ? (labels.isEmpty() ? api.listAll(kind) : List.of())
                        : api.list(kind, scope.namespace(), labels);
                for (GenericKubernetesResource object : found) {
                    objects.add(new Candidate(kind, object));
                    uids.add(object.getMetadata().getUid());
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
        for (Candidate candidate : objects) {
            List<OwnerReference> owners = Api.owners(candidate.object());
            if (owners.isEmpty() || Api.deleting(candidate.object())) {
                continue;
            }
            if (owners.stream().noneMatch(owner -> exists(owner, candidate.object(), uids, crdKinds))) {
                LOG.info("[{}] garbage-collected {} {}: its owners are gone", host.name(), candidate.kind().kind(),
                        Key.of(candidate.object()));
                api.delete(candidate.kind(), candidate.object());
            }
        }
        return done();
    }

    private record Candidate(Kind kind, GenericKubernetesResource object) {
    }

    private boolean exists(OwnerReference owner, GenericKubernetesResource dependent, Set<String> uids,
                           List<Kind> crdKinds) {
        if (uids.contains(owner.getUid())) {
            return true;
        }
        Optional<Kind> kind = Kind.known(owner.getApiVersion(), owner.getKind())
                .or(() -> crdKinds.stream().filter(k -> k.kind().equals(owner.getKind())
                        && owner.getApiVersion().startsWith(k.group() + "/")).findFirst());
        if (kind.isEmpty()) {
            // a kind the API does not serve: the real collector cannot resolve the owner either, and waits
            return true;
        }
        GenericKubernetesResource found = api.get(kind.get(), dependent.getMetadata().getNamespace(), owner.getName());
        return found != null && owner.getUid().equals(found.getMetadata().getUid());
    }

    /** The kinds the cluster's CRDs define, at their storage versions (the host follows its CRDs). */
    private List<Kind> crdKinds() {
        return host.gate().crdKinds();
    }
}
