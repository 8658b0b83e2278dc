package io.pivotplane.devstack.simulator;

import io.pivotplane.capi.request.Provider;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How the simulated infrastructure behaves: how long the simulated clouds take, like the {@code startupDuration}s of
 * CAPI's in-memory provider, and what {@code clusterctl init} installs in the management cluster.
 *
 * @param infrastructureDelay from an infrastructure cluster object to its network and load balancer being ready
 * @param machineDelay from an infrastructure machine to its VM running (its kubelet then registers the Node)
 * @param agentsShareKafkaClients whether the simulated agents share one producer and one consumer
 *     ({@link SharedAgentChannels}) instead of each having its own, as a real agent does: what lets one machine
 *     simulate a fleet
 * @param managementProviders the infrastructure providers clusterctl init installs in the management cluster, besides
 *     cert-manager, the core provider and the kubeadm bootstrap and control-plane providers
 * @param managementCredentials the operator's credentials clusterctl init gives those providers
 */
public record SimulatorSettings(Duration infrastructureDelay, Duration machineDelay, boolean agentsShareKafkaClients,
                                Set<Provider> managementProviders, ManagementCredentials managementCredentials) {

    public SimulatorSettings {
        Objects.requireNonNull(infrastructureDelay, "infrastructureDelay");
        Objects.requireNonNull(machineDelay, "machineDelay");
        managementProviders = Set.copyOf(managementProviders);
        Objects.requireNonNull(managementCredentials, "managementCredentials");
    }

    /** Every infrastructure provider in the management cluster, with fake credentials. */
    public SimulatorSettings(Duration infrastructureDelay, Duration machineDelay) {
        this(infrastructureDelay, machineDelay, false, EnumSet.allOf(Provider.class), ManagementCredentials.FAKE);
    }

    /** Everything at once: what tests and benchmarks use. */
    public static final SimulatorSettings IMMEDIATE = new SimulatorSettings(Duration.ZERO, Duration.ZERO);

    /** Slow enough to watch each stage happen on the local stack. */
    public static final SimulatorSettings VISIBLE = new SimulatorSettings(Duration.ofSeconds(2), Duration.ofSeconds(3));

    public SimulatorSettings withAgentsSharingKafkaClients() {
        return new SimulatorSettings(infrastructureDelay, machineDelay, true, managementProviders, managementCredentials);
    }

    /** Only these infrastructure providers in the management cluster. */
    public SimulatorSettings withManagementProviders(Set<Provider> providers) {
        return new SimulatorSettings(infrastructureDelay, machineDelay, agentsShareKafkaClients, providers,
                managementCredentials);
    }

    public SimulatorSettings withManagementCredentials(ManagementCredentials credentials) {
        return new SimulatorSettings(infrastructureDelay, machineDelay, agentsShareKafkaClients, managementProviders,
                credentials);
    }
}
