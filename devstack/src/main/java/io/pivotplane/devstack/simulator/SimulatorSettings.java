package io.pivotplane.devstack.simulator;

import java.time.Duration;

/**
 * How long the simulated cloud takes, like the {@code startupDuration}s of CAPI's in-memory provider.
 *
 * @param infrastructureDelay from an infrastructure cluster object to its network and load balancer being ready
 * @param machineDelay from a {@code Machine} to its VM running and its node joined
 */
public record SimulatorSettings(Duration infrastructureDelay, Duration machineDelay) {

    /** Everything at once: what tests and benchmarks use. */
    public static final SimulatorSettings IMMEDIATE = new SimulatorSettings(Duration.ZERO, Duration.ZERO);

    /** Slow enough to watch each stage happen on the local stack. */
    public static final SimulatorSettings VISIBLE = new SimulatorSettings(Duration.ofSeconds(2), Duration.ofSeconds(3));
}
