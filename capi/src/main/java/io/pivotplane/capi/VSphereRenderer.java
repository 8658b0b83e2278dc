package io.pivotplane.capi;

import static io.pivotplane.capi.ObjectMaps.map;
import static io.pivotplane.capi.ObjectMaps.reference;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.events.model.WorkerPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** vSphere through CAPV 1.12.0, after its upstream {@code cluster-template.yaml}. */
public final class VSphereRenderer implements ClusterRenderer {

    public static final String PROVIDER = "vsphere";
    public static final String API_VERSION = Capi.infrastructureApiVersion("v1beta1");
    public static final String CLUSTER_KIND = "VSphereCluster";
    public static final String MACHINE_TEMPLATE_KIND = "VSphereMachineTemplate";
    /** The user of CAPV's templates that receives the SSH keys. */
    static final String SSH_USER = "capv";
    static final int DEFAULT_API_PORT = 6443;

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public List<GenericKubernetesResource> render(String clusterId, ClusterSpec spec, RenderPhase phase) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        List<GenericKubernetesResource> objects = new ArrayList<>();
        objects.add(CoreObjects.cluster(clusterId, spec, reference(API_VERSION, CLUSTER_KIND, spec.name())));
        objects.add(CoreObjects.object(API_VERSION, CLUSTER_KIND, spec.name(), clusterId, spec, map(
                "controlPlaneEndpoint", map(
                        "host", parameters.get("controlPlaneEndpoint"),
                        "port", parameters.containsKey("controlPlaneEndpointPort")
                                ? Integer.parseInt(parameters.get("controlPlaneEndpointPort")) : DEFAULT_API_PORT),
                "identityRef", spec.infrastructure().credentialsRef() == null ? null
                        : map("kind", "Secret", "name", spec.infrastructure().credentialsRef()),
                "server", parameters.get("server"),
                "thumbprint", parameters.get("thumbprint"))));
        objects.add(machineTemplate(clusterId, spec, spec.name(), spec.controlPlane().machine()));
        int controlPlaneReplicas = phase == RenderPhase.MANAGEMENT ? 1 : spec.controlPlane().replicas();
        objects.add(CoreObjects.kubeadmControlPlane(clusterId, spec, controlPlaneReplicas,
                reference(API_VERSION, MACHINE_TEMPLATE_KIND, spec.name()), SSH_USER));
        if (phase == RenderPhase.FULL) {
            for (WorkerPool pool : spec.workerPools()) {
                String name = spec.name() + "-" + pool.name();
                objects.add(machineTemplate(clusterId, spec, name, pool.machine()));
                objects.add(CoreObjects.kubeadmConfigTemplate(clusterId, spec, name, SSH_USER));
                objects.add(CoreObjects.machineDeployment(clusterId, spec, name, pool.replicas(),
                        reference(API_VERSION, MACHINE_TEMPLATE_KIND, name)));
            }
        }
        return objects;
    }

    private static GenericKubernetesResource machineTemplate(String clusterId, ClusterSpec spec, String name,
                                                             Map<String, Object> machine) {
        Map<String, String> parameters = spec.infrastructure().parameters();
        return CoreObjects.object(API_VERSION, MACHINE_TEMPLATE_KIND, name, clusterId, spec, map(
                "template", map("spec", map(
                        "cloneMode", "linkedClone",
                        "datacenter", parameters.get("datacenter"),
                        "datastore", parameters.get("datastore"),
                        "diskGiB", machine.get("diskGiB"),
                        "folder", parameters.get("folder"),
                        "memoryMiB", machine.get("memoryMiB"),
                        "network", map("devices", List.of(map("dhcp4", true, "networkName", parameters.get("network")))),
                        "numCPUs", machine.get("numCPUs"),
                        "os", "Linux",
                        "powerOffMode", "trySoft",
                        "resourcePool", parameters.get("resourcePool"),
                        "server", parameters.get("server"),
                        "storagePolicyName", parameters.get("storagePolicy"),
                        "template", parameters.get("template"),
                        "thumbprint", parameters.get("thumbprint")))));
    }
}
