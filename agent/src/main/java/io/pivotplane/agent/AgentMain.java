package io.pivotplane.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pivotplane.agent.core.Agent;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent as the process of its container image, in a workload cluster: configured by its environment (the Secret
 * pivot-service installs with it), talking to its own cluster with the in-cluster credentials of its ServiceAccount.
 */
public final class AgentMain {

    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);
    private static final Duration LIVENESS_CHECK = Duration.ofSeconds(5);

    private static volatile boolean stopping;

    private AgentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        AgentConfig config;
        try {
            config = AgentConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        Agent agent = Agent.start(config, client);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            agent.close();
            client.close();
        }, "agent-shutdown"));
        while (agent.isRunning()) {
            Thread.sleep(LIVENESS_CHECK.toMillis());
        }
        if (!stopping) {
            // Exiting lets Kubernetes restart the container; staying up would leave the cluster without its agent.
            LOG.error("The agent of cluster {} stopped on its own; exiting", config.clusterName());
            System.exit(1);
        }
    }
}
