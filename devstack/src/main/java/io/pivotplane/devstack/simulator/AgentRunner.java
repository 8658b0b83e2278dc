package io.pivotplane.devstack.simulator;

import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.core.Agent;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.devstack.infra.MultiClusterApiServer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet of a simulated workload cluster, for one kind of pod: when the agent's Deployment appears, it
 * runs that agent in this JVM with the configuration the Deployment's Secret gives it, against this cluster's
 * API; when the Deployment goes, it stops it.
 */
final class AgentRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);

    private final MultiClusterApiServer.ClusterApi api;
    private final KubernetesClient client;
    private final Function<AgentConfig, AgentChannel> channels;
    private final Map<String, Agent> agents = new ConcurrentHashMap<>();

    /** @param channels opens the Kafka channel of an agent about to start */
    AgentRunner(MultiClusterApiServer.ClusterApi api, Function<AgentConfig, AgentChannel> channels) {
        this.api = api;
        this.client = api.client();
        this.channels = channels;
    }

    /** Starts following the cluster's agent Deployments, through the changes its store reports in this JVM. */
    AgentRunner start() {
        api.addChangeListener((before, after) -> {
            GenericKubernetesResource object = after != null ? after : before;
            if (!isAgentDeployment(object)) {
                return;
            }
            if (after != null) {
                run(client.getKubernetesSerialization().convertValue(after, Deployment.class));
            } else {
                Agent agent = agents.remove(before.getMetadata().getName());
                if (agent != null) {
                    agent.close();
                }
            }
        });
        return this;
    }

    private static boolean isAgentDeployment(GenericKubernetesResource object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return "Deployment".equals(object.getKind()) && "apps/v1".equals(object.getApiVersion())
                && AgentManifests.NAMESPACE.equals(object.getMetadata().getNamespace())
                && labels != null && AgentManifests.NAME.equals(labels.get(AgentManifests.APP_LABEL));
    }

    private void run(Deployment deployment) {
        String name = deployment.getMetadata().getName();
        if (agents.containsKey(name)) {
            return;
        }
        try {
            AgentConfig config = AgentConfig.fromEnvironment(environment(deployment));
            agents.computeIfAbsent(name, n -> Agent.start(config, client, channels.apply(config)));
        } catch (RuntimeException e) {
            // what a crash-looping pod would show in its log
            LOG.error("Agent Deployment {} cannot start: {}", name, e.getMessage());
        }
    }

    private Map<String, String> environment(Deployment deployment) {
        Map<String, String> environment = new HashMap<>();
        var containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        for (var container : containers) {
            for (EnvFromSource source : container.getEnvFrom()) {
                if (source.getSecretRef() == null) {
                    continue;
                }
                Secret secret = client.secrets().inNamespace(deployment.getMetadata().getNamespace())
                        .withName(source.getSecretRef().getName()).get();
                if (secret == null) {
                    throw new IllegalStateException("Secret " + source.getSecretRef().getName() + " not found");
                }
                if (secret.getData() != null) {
                    secret.getData().forEach((key, value) -> environment.put(key,
                            new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
                }
                if (secret.getStringData() != null) {
                    environment.putAll(secret.getStringData());
                }
            }
            if (container.getEnv() != null) {
                container.getEnv().stream().filter(env -> env.getValue() != null)
                        .forEach(env -> environment.put(env.getName(), env.getValue()));
            }
        }
        return environment;
    }

    int running() {
        return agents.size();
    }

    @Override
    public void close() {
        // each agent waits for its Kafka clients to close: a thousand of them in turn would take minutes
        agents.values().parallelStream().forEach(Agent::close);
        agents.clear();
    }
}
