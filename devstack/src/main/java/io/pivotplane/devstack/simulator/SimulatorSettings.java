package io.pivotplane.devstack.simulator;

import java.time.Duration;

/**
 * How long the simulated cloud takes, like the {@code startupDuration}s of CAPI's in-memory provider.
 *
 * @param infrastructureDelay from an infrastructure cluster object to its network and load balancer being ready
 * @param machineDelay from a {@code Machine} to its VM running and its node joined
 * @param agentsShareKafkaClients whether the simulated agents share one producer and one consumer
 *     ({@link SharedAgentChannels}) instead of each having its own, as a real agent does: what lets one machine
 *     simulate a fleet
 */
public record SimulatorSettings(Duration infrastructureDelay, Duration machineDelay, boolean agentsShareKafkaClients) {

    public SimulatorSettings(Duration infrastructureDelay, Duration machineDelay) {
        this(infrastructureDelay, machineDelay, false);
    }

    /** Everything at once: what tests and benchmarks use. */
    public static final SimulatorSettings IMMEDIATE = new SimulatorSettings(Duration.ZERO, Duration.ZERO);

    /** Slow enough to watch each stage happen on the local stack. */
    public static final SimulatorSettings VISIBLE = new SimulatorSettings(Duration.ofSeconds(2), Duration.ofSeconds(3));

    public SimulatorSettings withAgentsSharingKafkaClients() {
        return new SimulatorSettings(infrastructureDelay, machineDelay, true);
    }
}
