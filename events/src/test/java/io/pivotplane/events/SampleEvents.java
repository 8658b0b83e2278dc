package io.pivotplane.events;

import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.Condition;
import io.pivotplane.events.model.ControlPlane;
import io.pivotplane.events.model.Infrastructure;
import io.pivotplane.events.model.MachineCounts;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.events.model.Profile;
import io.pivotplane.events.model.SecretReference;
import io.pivotplane.events.model.WorkerPool;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated event of every type. */
final class SampleEvents {

    static final String CLUSTER_ID = "6f1c2a9e-0d4b-4c55-9a3e-2b7d8c1e0f42";
    static final Instant AT = Instant.parse("2026-11-24T10:15:30.123456Z");

    private SampleEvents() {
    }

    static ClusterSpec vsphereSpec() {
        Map<String, Object> machine = Map.of("numCPUs", 4, "memoryMiB", 8192, "diskGiB", 40);
        return new ClusterSpec("edge-42", "team-a",
                new Infrastructure("vsphere", "vsphere-creds", Map.of("server", "vcenter.example.com",
                        "datacenter", "dc-1", "datastore", "ds-1", "network", "vm-net")),
                "v1.30.5", new ControlPlane(3, machine), List.of(new WorkerPool("default", 3, machine)),
                List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ops@example.com"),
                new Profile("default", List.of(new Addon("calico", "cni", "3.28.0", List.of("kind: ConfigMap")))));
    }

    static List<ClusterEvent> everyType() {
        ObjectReference cluster = new ObjectReference("cluster.x-k8s.io/v1beta1", "Cluster", "team-a", "edge-42");
        return List.of(
                new ClusterRequested(CLUSTER_ID, vsphereSpec(), AT),
                new SpecsCreated(CLUSTER_ID, "team-a", List.of(cluster), AT),
                new ControlPlaneReady(CLUSTER_ID, "https://10.0.0.10:6443",
                        new SecretReference("team-a", "edge-42-kubeconfig", "value"), AT),
                new Pivoted(CLUSTER_ID, "https://10.0.0.10:6443", List.of(cluster), AT),
                new AddonsInstalled(CLUSTER_ID, List.of(new AddonResult("calico", AddonResult.State.INSTALLED, "ok")), AT),
                new ProvisioningFailed(CLUSTER_ID, Stage.SPECS_CREATED, "ControlPlaneTimeout",
                        "control plane not initialized within PT20M", AT),
                new ClusterDeletionRequested(CLUSTER_ID, "edge-42", "team-a", AT),
                new ClusterDeleted(CLUSTER_ID, ClusterDeleted.WORKLOAD, List.of(cluster), AT),
                new ProfileChanged(CLUSTER_ID, 1, new Profile("baseline", "1.1.0", List.of(
                        new Addon("calico", "cni", "3.28.0", List.of("kind: ConfigMap")),
                        new Addon("widgets", "addon", "1.1.0", List.of(), new Addon.Chart("https://charts.example.com",
                                "widgets", "1.1.0", "widgets", "replicas: 2\n"), 10, List.of("calico"), true, 120))),
                        AT),
                new AgentReport(CLUSTER_ID, AgentReport.Kind.HEARTBEAT, AT, new MachineCounts(3, 3, 3, 2),
                        List.of(new Condition("Ready", "True", "AllMachinesReady", null, AT)), null, null, List.of(),
                        "0.1.0"),
                new ClusterChangeRequested(CLUSTER_ID, 1, vsphereSpec(), "pool default: 3 → 5 machines", AT),
                new ClusterChanged(CLUSTER_ID, 1, ClusterChanged.Outcome.APPLIED, null, AT),
                new AgentVersionReported(CLUSTER_ID, "0.1.0", true, "0.0.x to 0.1.x", AT),
                new AgentCommand(CLUSTER_ID, "cmd-1", AgentCommand.Kind.INSTALL_ADDON,
                        new Addon("calico", "cni", "3.28.0", List.of()), AT),
                AgentCommand.applySpec(CLUSTER_ID, "cmd-2", vsphereSpec(), 1, AT));
    }
}
