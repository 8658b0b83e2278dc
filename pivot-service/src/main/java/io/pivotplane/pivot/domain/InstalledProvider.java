package io.pivotplane.pivot.domain;

/**
 * A provider as clusterctl's inventory records it in a cluster ({@code clusterctl.cluster.x-k8s.io/v1alpha3}
 * {@code Provider}).
 *
 * @param name the provider's name, e.g. {@code cluster-api}, {@code kubeadm}, {@code vsphere}
 * @param type {@code CoreProvider}, {@code BootstrapProvider}, {@code ControlPlaneProvider}, {@code InfrastructureProvider}
 * @param version e.g. {@code v1.9.11}
 */
public record InstalledProvider(String name, String type, String version, String namespace) {

    public static final String CORE = "CoreProvider";
    public static final String BOOTSTRAP = "BootstrapProvider";
    public static final String CONTROL_PLANE = "ControlPlaneProvider";
    public static final String INFRASTRUCTURE = "InfrastructureProvider";

    /** clusterctl's {@code Provider.SameAs}: the same provider whatever its version and namespace. */
    public boolean sameAs(InstalledProvider other) {
        return name.equals(other.name) && type.equals(other.type);
    }

    @Override
    public String toString() {
        return type + " " + name + " " + version;
    }
}
