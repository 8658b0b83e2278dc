package io.pivotplane.capi.bootstrap;

import io.pivotplane.capi.components.NamespacedName;

/** A Deployment or DaemonSet to wait for, e.g. {@code DaemonSet kube-system/vsphere-cpi}. */
public record Workload(String kind, NamespacedName name) {

    @Override
    public String toString() {
        return kind + " " + name;
    }
}
