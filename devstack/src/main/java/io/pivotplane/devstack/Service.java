package io.pivotplane.devstack;

import java.util.List;

/** The five services of pivotplane, as the local stack runs them. */
public enum Service {
    REQUEST("request-service", "requests", true),
    SPEC("spec-service", "spec", true),
    PROVISIONER("provisioner-service", "provisioner", true),
    PIVOT("pivot-service", "pivot", true),
    ADDON("addon-service", "addons", false);

    private final String module;
    private final String database;
    private final boolean usesManagementCluster;

    Service(String module, String database, boolean usesManagementCluster) {
        this.module = module;
        this.database = database;
        this.usesManagementCluster = usesManagementCluster;
    }

    /** The Maven module, folder and process name, e.g. {@code spec-service}. */
    public String module() {
        return module;
    }

    public String database() {
        return database;
    }

    public boolean usesManagementCluster() {
        return usesManagementCluster;
    }

    public static List<Service> all() {
        return List.of(values());
    }
}
