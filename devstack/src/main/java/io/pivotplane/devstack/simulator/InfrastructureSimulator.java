package io.pivotplane.devstack.simulator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.agent.messaging.KafkaAgentChannel;
import io.pivotplane.devstack.infra.DaemonThreads;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cluster API controllers and the cloud of the local stack: controllers in the management cluster's API,
 * a new API server for each workload cluster when its first control-plane node is up, controllers inside it
 * (which take over after the pivot) and the agent it runs once pivot-service installs it.
 */
public final class InfrastructureSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InfrastructureSimulator.class);

    private final SimulatorSettings settings;
    private final ScheduledExecutorService scheduler;
    private final WorkloadApiServers workloads;
    private final List<AutoCloseable> parts = new CopyOnWriteArrayList<>();
    private final List<AgentRunner> agentRunners = new CopyOnWriteArrayList<>();
    /** By Kafka bootstrap servers, when the agents share their clients. */
    private final Map<String, SharedAgentChannels> sharedAgentChannels = new ConcurrentHashMap<>();

    private InfrastructureSimulator(SimulatorSettings settings) {
        this.settings = settings;
        this.scheduler = Executors.newScheduledThreadPool(4, DaemonThreads.named("simulator"));
        this.workloads = new WorkloadApiServers(this::simulateInside);
    }

    /** Simulates the controllers and the cloud of the management cluster behind {@code management}. */
    public static InfrastructureSimulator start(KubernetesClient management, SimulatorSettings settings) {
        InfrastructureSimulator simulator = new InfrastructureSimulator(settings);
        simulator.parts.add(new CapiControllers("management", management, settings, simulator.workloads,
                simulator.scheduler).start());
        LOG.info("Infrastructure simulator watches {} (machines take {}, infrastructure {})",
                management.getMasterUrl(), settings.machineDelay(), settings.infrastructureDelay());
        return simulator;
    }

    private void simulateInside(ClusterApi api) {
        parts.add(new CapiControllers("workload " + api.url(), api.client(), settings, workloads, scheduler)
                .startListening(api));
        AgentRunner agents = new AgentRunner(api, this::agentChannel).start();
        agentRunners.add(agents);
        parts.add(agents);
    }

    private AgentChannel agentChannel(AgentConfig config) {
        if (!settings.agentsShareKafkaClients()) {
            return KafkaAgentChannel.open(config);
        }
        return sharedAgentChannels.computeIfAbsent(config.kafkaBootstrapServers(), SharedAgentChannels::new)
                .open(config.clusterId());
    }

    /** A client of a workload cluster's API server, by the URL its kubeconfig names. */
    public Optional<KubernetesClient> workloadClient(String url) {
        return workloads.client(url);
    }

    public int workloadClusters() {
        return workloads.size();
    }

    public int runningAgents() {
        return agentRunners.stream().mapToInt(AgentRunner::running).sum();
    }

    @Override
    public void close() {
        for (AutoCloseable part : parts) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Stopping {} failed: {}", part, e.toString());
            }
        }
        sharedAgentChannels.values().forEach(SharedAgentChannels::close);
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workloads.close();
    }
}
