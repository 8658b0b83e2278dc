package io.pivotplane.request;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Valid request bodies for every provider, as mutable maps that a test can break one field at a time. */
public final class ClusterRequests {

    private ClusterRequests() {
    }

    public static Map<String, Object> vsphere(String name) {
        return body(name, "vsphere", "vsphere-creds",
                Map.of("server", "vcenter.example.com", "datacenter", "dc-1", "datastore", "ds-1",
                        "network", "vm-net", "template", "ubuntu-2204-kube-v1.30.5", "folder", "clusters",
                        "resourcePool", "*/Resources", "controlPlaneEndpoint", "10.0.0.10"),
                Map.of("numCPUs", 4, "memoryMiB", 8192, "diskGiB", 40));
    }

    public static Map<String, Object> aws(String name) {
        return body(name, "aws", "aws-creds", Map.of("region", "eu-west-1", "sshKeyName", "ops"),
                Map.of("instanceType", "t3.large"));
    }

    public static Map<String, Object> gcp(String name) {
        return body(name, "gcp", "gcp-creds", Map.of("project", "my-project", "region", "europe-west4",
                "network", "default"), Map.of("instanceType", "n2-standard-4"));
    }

    public static Map<String, Object> azure(String name) {
        return body(name, "azure", "azure-identity", Map.of("location", "westeurope",
                        "subscriptionId", "00000000-0000-0000-0000-000000000001",
                        "tenantId", "00000000-0000-0000-0000-000000000002",
                        "clientId", "00000000-0000-0000-0000-000000000003"),
                Map.of("vmSize", "Standard_D4s_v3"));
    }

    public static Map<String, Object> maas(String name) {
        return body(name, "maas", null, Map.of("dnsDomain", "maas.example.com"),
                Map.of("image", "ubuntu/jammy", "minCPU", 4, "minMemory", 8192, "resourcePool", "default"));
    }

    public static Map<String, Object> forProvider(String provider, String name) {
        return switch (provider) {
            case "vsphere" -> vsphere(name);
            case "aws" -> aws(name);
            case "gcp" -> gcp(name);
            case "azure" -> azure(name);
            case "maas" -> maas(name);
            default -> throw new IllegalArgumentException(provider);
        };
    }

    private static Map<String, Object> body(String name, String provider, String credentialsRef,
                                            Map<String, Object> parameters, Map<String, Object> machine) {
        Map<String, Object> infrastructure = new LinkedHashMap<>();
        infrastructure.put("provider", provider);
        if (credentialsRef != null) {
            infrastructure.put("credentialsRef", credentialsRef);
        }
        infrastructure.put("parameters", new LinkedHashMap<>(parameters));

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("project", "team-a");
        body.put("infrastructure", infrastructure);
        body.put("kubernetesVersion", "v1.30.5");
        body.put("controlPlane", new LinkedHashMap<>(Map.of("replicas", 3, "machine", new LinkedHashMap<>(machine))));
        List<Object> pools = new ArrayList<>();
        pools.add(new LinkedHashMap<>(Map.of("name", "default", "replicas", 3, "machine", new LinkedHashMap<>(machine))));
        body.put("workerPools", pools);
        body.put("sshAuthorizedKeys", List.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample ops@example.com"));
        // request-service passes the manifests on unread: a stand-in for a network plugin's is enough here
        body.put("profile", Map.of("name", "default", "addons", List.of(Map.of("name", "calico", "layer", "cni",
                "manifests", List.of("apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: calico-node\n"
                        + "  namespace: kube-system\n")))));
        return body;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> child(Map<String, Object> body, String... path) {
        Map<String, Object> node = body;
        for (String key : path) {
            node = (Map<String, Object>) node.get(key);
        }
        return node;
    }
}
