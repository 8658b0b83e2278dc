package io.pivotplane.devstack.simulator;

import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.AgentConfig;
import io.pivotplane.agent.core.Agent;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.agent.messaging.AgentChannel;
import io.pivotplane.devstack.infra.MultiClusterApiServer;
import io.pivotplane.devstack.infra.TempDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet of a simulated workload cluster, for one kind of pod: it runs the agent of the agent's Deployment in this
 * JVM, with the configuration the Deployment's Secret gives it, against this cluster's API, exactly while the
 * cluster's simulated controllers report that Deployment available ({@code ClusterInternals}: its pod was scheduled
 * and could start, so an agent without the tolerations a control-plane-only cluster needs, or without host network
 * before a network plugin runs, never runs). A new pod template, once rolled out, restarts it; the Deployment gone or
 * without an available replica stops it.
 */
final class AgentRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRunner.class);

    /** An agent running, the pod template it was started from, and its pod's {@code /tmp} (an emptyDir). */
    private record Running(Agent agent, Object template, Path podTmp) {
    }

    private final MultiClusterApiServer.ClusterApi api;
    private final KubernetesClient client;
    private final Function<AgentConfig, AgentChannel> channels;
    private final Map<String, Running> agents = new ConcurrentHashMap<>();
    private final Path podsTmp;

    /**
     * @param channels opens the Kafka channel of an agent about to start
     * @param podsTmp where each agent's pod gets its {@code /tmp} (its chart cache), removed when the pod stops
     */
    AgentRunner(MultiClusterApiServer.ClusterApi api, Function<AgentConfig, AgentChannel> channels, Path podsTmp) {
        this.api = api;
        this.client = api.client();
        this.channels = channels;
        this.podsTmp = podsTmp;
    }

    /** Starts following the cluster's agent Deployments, through the changes its store reports in this JVM. */
    AgentRunner start() {
        api.addChangeListener((before, after) -> {
            GenericKubernetesResource object = after != null ? after : before;
            if (!isAgentDeployment(object)) {
                return;
            }
            String name = object.getMetadata().getName();
            if (after == null) {
                stop(name, "its Deployment was deleted");
            } else {
                follow(client.getKubernetesSerialization().convertValue(after, Deployment.class));
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

    /** Runs, restarts or stops the agent after what the Deployment's status says of its pods. */
    private void follow(Deployment deployment) {
        String name = deployment.getMetadata().getName();
        DeploymentStatus status = deployment.getStatus();
        int available = status == null ? 0 : Objects.requireNonNullElse(status.getAvailableReplicas(), 0);
        if (available == 0) {
            stop(name, "its Deployment has no available replica");
            return;
        }
        boolean observed = Objects.equals(status.getObservedGeneration(), deployment.getMetadata().getGeneration());
        int replicas = Objects.requireNonNullElse(status.getReplicas(), 0);
        boolean rolledOut = observed && replicas > 0
                && Objects.equals(status.getUpdatedReplicas(), replicas);
        Object template = deployment.getSpec().getTemplate();
        Running running = agents.get(name);
        if (!rolledOut || running != null && running.template().equals(template)) {
            return; // the pod that runs is the one it was
        }
        if (running != null) {
            stop(name, "its pod template changed");
        }
        run(deployment, template);
    }

    private void run(Deployment deployment, Object template) {
        String name = deployment.getMetadata().getName();
        try {
            Map<String, String> environment = environment(deployment);
            // a new pod, a new emptyDir: what the last one downloaded is gone with it
            Path podTmp = Files.createTempDirectory(podsTmp, "agent-");
            environment.put(AgentConfig.CHART_CACHE, podTmp.resolve("pivotplane-charts").toString());
            AgentConfig config = AgentConfig.fromEnvironment(environment);
            agents.computeIfAbsent(name, n -> new Running(Agent.start(config, client, channels.apply(config)),
                    template, podTmp));
        } catch (IOException e) {
            LOG.error("Agent Deployment {} cannot start: no /tmp for its pod: {}", name, e.toString());
        } catch (RuntimeException e) {
            // what a crash-looping pod would show in its log
            LOG.error("Agent Deployment {} cannot start: {}", name, e.getMessage());
        }
    }

    private void stop(String name, String why) {
        Running running = agents.remove(name);
        if (running != null) {
            LOG.info("Stopping agent {}: {}", name, why);
            running.agent().close();
            TempDirs.deleteRecursively(running.podTmp());
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
        agents.values().parallelStream().forEach(running -> {
            running.agent().close();
            TempDirs.deleteRecursively(running.podTmp());
        });
        agents.clear();
    }
}
