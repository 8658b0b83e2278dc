package io.pivotplane.pivot.service;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.pivotplane.capi.DesiredSpecConfigMap;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.pivot.k8s.ClusterKinds;
import io.pivotplane.pivot.k8s.ManagementKinds;
import io.pivotplane.pivot.k8s.MoveOperations;
import io.pivotplane.pivot.k8s.MoverAccess;
import io.pivotplane.pivot.persistence.Direction;
import io.pivotplane.pivot.persistence.Move;

/**
 * What one reconcile of a move works with: the management cluster, the workload cluster (reached through the
 * kubeconfig CAPI wrote before the pivot, through pivot-service's own account after it), which of them is the
 * source and which the target, and the cluster's desired spec. Built lazily, closed after the reconcile.
 */
final class MoveContext implements AutoCloseable {

    private final Move move;
    private final KubernetesClient management;
    private final HttpClient.Factory httpClients;
    private final ManagementKinds managementKinds;
    private KubernetesClient workload;
    private ClusterKinds sourceKinds;
    private ClusterKinds targetKinds;
    private ClusterSpec spec;

    MoveContext(Move move, KubernetesClient management, HttpClient.Factory httpClients,
                ManagementKinds managementKinds) {
        this.move = move;
        this.management = management;
        this.httpClients = httpClients;
        this.managementKinds = managementKinds;
    }

    Move move() {
        return move;
    }

    KubernetesClient management() {
        return management;
    }

    /**
     * The workload cluster, through pivot-service's own account there once it has one: the kubeconfig Secret Cluster
     * API wrote moves with the cluster and leaves the management cluster before the move's unpause (deleted by the
     * move, and by Kubernetes' garbage collector with the control plane that owns it).
     */
    KubernetesClient workload() {
        if (workload == null) {
            var own = MoverAccess.client(management, httpClients, move.namespace(), move.clusterId());
            if (own.isPresent()) {
                workload = own.get();
            } else if (move.direction() == Direction.PIVOT) {
                workload = MoveOperations.workloadClient(management, httpClients, move.namespace(), move.clusterName());
            } else {
                throw new IllegalStateException("pivot-service's way into the workload cluster, Secret "
                        + move.namespace() + "/" + MoverAccess.kubeconfigSecretName(move.clusterId())
                        + ", is missing from the management cluster");
            }
        }
        return workload;
    }

    KubernetesClient source() {
        return move.direction() == Direction.PIVOT ? management : workload();
    }

    KubernetesClient target() {
        return move.direction() == Direction.PIVOT ? workload() : management;
    }

    ClusterKinds sourceKinds() {
        if (sourceKinds == null) {
            sourceKinds = move.direction() == Direction.PIVOT ? managementKinds.get() : ClusterKinds.of(source());
        }
        return sourceKinds;
    }

    ClusterKinds targetKinds() {
        if (targetKinds == null) {
            targetKinds = move.direction() == Direction.PIVOT ? ClusterKinds.of(target()) : managementKinds.get();
        }
        return targetKinds;
    }

    /** The cluster's desired spec, from its ConfigMap, wherever the move has put it by now. */
    ClusterSpec spec() {
        if (spec == null) {
            String name = DesiredSpecConfigMap.name(move.clusterName());
            ConfigMap inSource = source().configMaps().inNamespace(move.namespace()).withName(name).get();
            ConfigMap found = inSource != null ? inSource
                    : target().configMaps().inNamespace(move.namespace()).withName(name).get();
            spec = DesiredSpecConfigMap.read(found).orElseThrow(() -> new IllegalStateException(
                    "the desired spec of " + move.namespace() + "/" + move.clusterName() + " (ConfigMap " + name
                            + ") is in neither cluster"));
        }
        return spec;
    }

    @Override
    public void close() {
        if (workload != null) {
            workload.close();
        }
    }
}
