package io.pivotplane.devstack.simulator.capi;

import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import io.pivotplane.devstack.simulator.SimulatorSettings;
import io.pivotplane.devstack.simulator.WorkloadApiServers;
import io.pivotplane.devstack.simulator.cluster.ClusterInternals;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * What the simulated controllers of every cluster share: the settings, the scheduler their work runs on, the
 * simulated clouds, and the workload clusters' API servers with the internals of each.
 */
public final class Simulation {

    private final SimulatorSettings settings;
    private final ScheduledExecutorService scheduler;
    private final WorkloadApiServers workloads;
    private final Function<ClusterApi, Optional<ClusterInternals>> internals;
    private final SimulatedCloud cloud;
    private final java.util.Set<ControllerHost> hosts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param workloads the workload clusters' API servers: a VM that runs {@code kubeadm init} starts one
     * @param internals the internals of a workload cluster's API, while it runs
     */
    public Simulation(SimulatorSettings settings, ScheduledExecutorService scheduler, WorkloadApiServers workloads,
                      Function<ClusterApi, Optional<ClusterInternals>> internals) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.workloads = workloads;
        this.internals = internals;
        this.cloud = new SimulatedCloud(this);
    }

    SimulatorSettings settings() {
        return settings;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    WorkloadApiServers workloads() {
        return workloads;
    }

    Optional<ClusterInternals> internals(ClusterApi api) {
        return internals.apply(api);
    }

    SimulatedCloud cloud() {
        return cloud;
    }

    void register(ControllerHost host) {
        hosts.add(host);
    }

    void unregister(ControllerHost host) {
        hosts.remove(host);
    }

    /**
     * A cluster's API server answers now: the controllers that read workload clusters look again, as CAPI's
     * ClusterCache, which probes a cluster's API until it connects, makes them.
     */
    void apiServerStarted(Key cluster) {
        hosts.forEach(host -> host.workloadChanged(cluster));
    }
}
