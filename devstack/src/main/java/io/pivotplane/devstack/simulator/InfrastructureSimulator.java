package io.pivotplane.devstack.simulator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.agent.messaging.KafkaAgentChannel;
import io.pivotplane.devstack.infra.DaemonThreads;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import io.pivotplane.devstack.infra.TempDirs;
import io.pivotplane.devstack.simulator.capi.ControllerHost;
import io.pivotplane.devstack.simulator.capi.Simulation;
import io.pivotplane.devstack.simulator.capi.ClusterctlInit;
import io.pivotplane.devstack.simulator.cluster.ClusterInternals;
import java.nio.file.Path;
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
 * Cluster API, its providers and the clouds, for the local stack and the tests, the way CAPI's in-memory provider
 * stands in for them: the management cluster gets what {@code clusterctl init} installs, and the providers' simulated
 * controllers act in every cluster where those providers run (the management cluster; a workload cluster once its
 * CAPI objects and providers have been moved there). A workload cluster's API server starts when its first
 * control-plane VM runs kubeadm init, and goes when its last control-plane VM is deleted; in it run the cluster's own
 * internals, the controllers of the providers installed there, and the agent pivot-service installs.
 */
public final class InfrastructureSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InfrastructureSimulator.class);

    private final SimulatorSettings settings;
    private final ScheduledExecutorService scheduler;
    private final WorkloadApiServers workloads;
    private final Simulation simulation;
    private final List<AutoCloseable> parts = new CopyOnWriteArrayList<>();
    private final Path podsTmp = TempDirs.create("pivotplane-agent-pods-");
    /** What runs inside each workload cluster, by its API's URL. */
    private final Map<String, Inside> inside = new ConcurrentHashMap<>();
    /** By Kafka bootstrap servers, when the agents share their clients. */
    private final Map<String, SharedAgentChannels> sharedAgentChannels = new ConcurrentHashMap<>();

    /** A workload cluster's internals, the providers' controllers in it, and its agent. */
    private record Inside(ClusterInternals internals, ControllerHost controllers, AgentRunner agents) {
    }

    private InfrastructureSimulator(SimulatorSettings settings) {
        this.settings = settings;
        this.scheduler = Executors.newScheduledThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors()),
                DaemonThreads.named("simulator"));
        this.workloads = new WorkloadApiServers(this::simulateInside, this::stopInside);
        this.simulation = new Simulation(settings, scheduler, workloads,
                api -> Optional.ofNullable(inside.get(api.url())).map(Inside::internals));
    }

    /**
     * Simulates the management cluster behind {@code management}, an existing cluster: its internals, then what
     * {@code clusterctl init} installs there (the settings' providers, with their credentials), then the providers'
     * controllers, which act once their Deployments are available.
     */
    public static InfrastructureSimulator start(KubernetesClient management, SimulatorSettings settings) {
        InfrastructureSimulator simulator = new InfrastructureSimulator(settings);
        simulator.parts.add(ClusterInternals.startInManagement(management, simulator.scheduler));
        ClusterctlInit.install(management, settings);
        simulator.parts.add(ControllerHost.inManagement(management, simulator.simulation));
        LOG.info("Infrastructure simulator runs the providers of {} (machines take {}, infrastructure {})",
                management.getMasterUrl(), settings.machineDelay(), settings.infrastructureDelay());
        return simulator;
    }

    private void simulateInside(ClusterApi api) {
        ClusterInternals internals = ClusterInternals.startInWorkload(api, scheduler);
        ControllerHost controllers = ControllerHost.inWorkload(api, simulation);
        AgentRunner agents = new AgentRunner(api, this::agentChannel, podsTmp).start();
        inside.put(api.url(), new Inside(internals, controllers, agents));
    }

    /** The cluster's API server goes: so does everything that ran inside it. */
    private void stopInside(ClusterApi api) {
        Inside stopped = inside.remove(api.url());
        if (stopped == null) {
            return;
        }
        for (AutoCloseable part : List.of(stopped.controllers(), stopped.agents(), stopped.internals())) {
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Stopping {} of {} failed: {}", part, api.url(), e.toString());
            }
        }
    }

    private AgentChannel agentChannel(AgentConfig config) {
        if (!settings.agentsShareKafkaClients()) {
            return KafkaAgentChannel.open(config);
        }
        return sharedAgentChannels.computeIfAbsent(config.kafkaBootstrapServers(), SharedAgentChannels::new)
                .open(config);
    }

    /** A client of a workload cluster's API server, by the URL its kubeconfig names, while it runs. */
    public Optional<KubernetesClient> workloadClient(String url) {
        return workloads.client(url);
    }

    /**
     * The machine behind Node {@code nodeName} of the workload cluster at {@code url} stops answering (powered off, hung,
     * cut off): its kubelet posts no more status, and the Node's conditions turn Unknown as the node lifecycle
     * controller sets them. What happens next is up to the cluster's MachineHealthChecks.
     */
    public void failNode(String url, String nodeName) {
        Inside cluster = inside.get(url);
        if (cluster == null) {
            throw new IllegalArgumentException("no workload cluster runs at " + url);
        }
        cluster.internals().stopKubelet(nodeName);
    }

    /**
     * The site of the workload cluster at {@code url} is lost for good (a data centre gone, a network cut off): its
     * API server answers no more, and its controllers and agent are gone with it. Its machines are not deleted: as far
     * as the infrastructure provider knows, they are still there.
     */
    public void loseCluster(String url) {
        workloads.api(url).orElseThrow(() -> new IllegalArgumentException("no workload cluster runs at " + url));
        workloads.api(url).ifPresent(workloads::stop);
    }

    /** How many workload clusters' API servers run. */
    public int workloadClusters() {
        return workloads.size();
    }

    public int runningAgents() {
        return inside.values().stream().mapToInt(i -> i.agents().running()).sum();
    }

    @Override
    public void close() {
        inside.keySet().forEach(url -> workloads.api(url).ifPresent(this::stopInside));
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
        TempDirs.deleteRecursively(podsTmp);
    }

    /** Where the agents' pods get their {@code /tmp}: removed when the simulator stops. */
    public Path podsTmp() {
        return podsTmp;
    }
}
