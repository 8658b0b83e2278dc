package io.pivotplane.devstack.testing;

import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.ControlPlane;
import io.pivotplane.events.model.Infrastructure;
import io.pivotplane.events.model.Profile;
import io.pivotplane.events.model.WorkerPool;
import java.util.List;
import java.util.Map;

/** Valid cluster specs for tests, as request-service would have validated them. */
public final class TestClusters {

    public static final Map<String, Object> VSPHERE_MACHINE = Map.of("numCPUs", 2, "memoryMiB", 4096, "diskGiB", 25);

    private TestClusters() {
    }

    public static ClusterSpec vsphere(String project, String name, int controlPlaneReplicas, int workers,
                                      List<Addon> addons) {
        return new ClusterSpec(name, project,
                new Infrastructure("vsphere", "vsphere-creds", Map.of("server", "vcenter.example.com",
                        "datacenter", "dc-1", "datastore", "ds-1", "network", "vm-net",
                        "template", "ubuntu-2204-kube-v1.30.5", "resourcePool", "*/Resources",
                        "controlPlaneEndpoint", "10.0.0.10")),
                "v1.30.5", new ControlPlane(controlPlaneReplicas, VSPHERE_MACHINE),
                workers == 0 ? List.of() : List.of(new WorkerPool("md-0", workers, VSPHERE_MACHINE)),
                List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITest ops@example.com"),
                new Profile("default", addons));
    }

    public static ClusterSpec aws(String project, String name) {
        return new ClusterSpec(name, project,
                new Infrastructure("aws", "aws-creds", Map.of("region", "eu-west-1")),
                "v1.30.5", new ControlPlane(3, Map.of("instanceType", "t3.large")),
                List.of(), List.of(), Profile.EMPTY);
    }
}
