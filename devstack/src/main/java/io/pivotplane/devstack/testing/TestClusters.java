package io.pivotplane.devstack.testing;

import io.pivotplane.capi.request.Provider;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.ControlPlane;
import io.pivotplane.events.model.Infrastructure;
import io.pivotplane.events.model.Profile;
import io.pivotplane.events.model.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Valid cluster specs for tests, as request-service would have validated them. */
public final class TestClusters {

    public static final List<String> PROVIDERS = Provider.ids();
    public static final Map<String, Object> VSPHERE_MACHINE = Map.of("numCPUs", 2, "memoryMiB", 4096, "diskGiB", 25);
    private static final String SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITest ops@example.com";

    private TestClusters() {
    }

    public static ClusterSpec vsphere(String project, String name, int controlPlaneReplicas, int workers,
                                      List<Addon> addons) {
        return of("vsphere", project, name, controlPlaneReplicas, workers, addons);
    }

    /**
     * A cluster of the given infrastructure, with one worker pool {@code md-0} unless {@code workers} is 0, and a
     * profile of Flannel (its network plugin, which every valid request has) followed by {@code addons}.
     */
    public static ClusterSpec of(String provider, String project, String name, int controlPlaneReplicas, int workers,
                                 List<Addon> addons) {
        Infrastructure infrastructure = infrastructure(provider, name);
        Map<String, Object> machine = machine(provider);
        List<Addon> profile = new ArrayList<>();
        profile.add(flannel());
        profile.addAll(addons);
        return new ClusterSpec(name, project, infrastructure, "v1.30.5",
                new ControlPlane(controlPlaneReplicas, machine),
                workers == 0 ? List.of() : List.of(new WorkerPool("md-0", workers, machine)),
                List.of(SSH_KEY), new Profile("default", profile));
    }

    /** Flannel v0.26.1's upstream manifest as an add-on of layer cni: the network plugin of the examples too. */
    public static Addon flannel() {
        return new Addon("flannel", Addon.LAYER_CNI, "v0.26.1", List.of(FLANNEL_MANIFEST));
    }

    private static final String FLANNEL_MANIFEST = resource("/io/pivotplane/devstack/addons/kube-flannel.yaml");

    private static String resource(String name) {
        try (var in = TestClusters.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The same cluster on an infrastructure that has no renderer, as a newer request-service might send. */
    public static ClusterSpec onUnknownInfrastructure(String project, String name) {
        ClusterSpec spec = vsphere(project, name, 1, 0, List.of());
        return new ClusterSpec(name, project, new Infrastructure("openstack", "creds", Map.of()),
                spec.kubernetesVersion(), spec.controlPlane(), spec.workerPools(), spec.sshAuthorizedKeys(),
                spec.profile());
    }

    /**
     * @param clusterName vSphere's credentials are the cluster's own: CAPV makes the VSphereCluster the owner of the
     *     Secret its {@code identityRef} names and refuses a Secret another cluster owns
     */
    private static Infrastructure infrastructure(String provider, String clusterName) {
        return switch (provider) {
            case "aws" -> new Infrastructure("aws", "aws-identity", Map.of("region", "eu-west-1"));
            case "gcp" -> new Infrastructure("gcp", "gcp-creds", Map.of("project", "team-clusters",
                    "region", "europe-west4", "network", "default"));
            case "azure" -> new Infrastructure("azure", "azure-sp", Map.of("location", "westeurope",
                    "subscriptionId", "00000000-0000-0000-0000-000000000001",
                    "tenantId", "00000000-0000-0000-0000-000000000002",
                    "clientId", "00000000-0000-0000-0000-000000000003"));
            case "vsphere" -> new Infrastructure("vsphere", clusterName + "-vcenter", Map.of("server", "vcenter.example.com",
                    "datacenter", "dc-1", "datastore", "ds-1", "network", "vm-net",
                    "template", "ubuntu-2204-kube-v1.30.5", "resourcePool", "*/Resources",
                    "controlPlaneEndpoint", "10.0.0.10"));
            case "maas" -> new Infrastructure("maas", null, Map.of("dnsDomain", "maas.example.com"));
            default -> throw new IllegalArgumentException("no test cluster for " + provider);
        };
    }

    private static Map<String, Object> machine(String provider) {
        return switch (provider) {
            case "aws" -> Map.of("instanceType", "t3.large");
            case "gcp" -> Map.of("instanceType", "n2-standard-4");
            case "azure" -> Map.of("vmSize", "Standard_D4s_v3");
            case "vsphere" -> VSPHERE_MACHINE;
            case "maas" -> Map.of("image", "u-2204-0-k-1305-0", "minCPU", 4, "minMemory", 8192);
            default -> throw new IllegalArgumentException("no test cluster for " + provider);
        };
    }
}
