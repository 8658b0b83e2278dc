package io.pivotplane.capi.bootstrap;

import io.pivotplane.capi.components.NamespacedName;
import java.util.Map;

/**
 * A Secret a cloud-controller-manager reads its cloud credentials from inside the workload cluster, described, never
 * filled: the caller copies the values from the cluster's own credentials Secret in the management cluster.
 *
 * @param name where the cloud-controller-manager looks for it, e.g. {@code kube-system/cloud-provider-vsphere-credentials}
 * @param type the Secret's type, e.g. {@code Opaque}
 * @param labels the labels upstream gives it
 * @param source the Secret the values come from: the one the request's {@code credentialsRef} names, in the
 *     cluster's project namespace
 * @param keys each key of the Secret to write, with the key of {@code source} its value comes from, e.g.
 *     {@code vcenter.example.com.username -> username}
 */
public record CredentialsSecret(NamespacedName name, String type, Map<String, String> labels, NamespacedName source,
                                Map<String, String> keys) {

    public CredentialsSecret {
        labels = Map.copyOf(labels);
        keys = Map.copyOf(keys);
    }
}
