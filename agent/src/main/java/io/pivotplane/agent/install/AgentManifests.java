package io.pivotplane.agent.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.pivotplane.agent.AgentConfig;
import java.util.List;
import java.util.Map;

/**
 * The one definition of how the agent is installed into a workload cluster: pivot-service applies these, in
 * this order, and they are rendered under {@code deploy/agent/} for review. The agent starts on the first
 * control-plane node before anything else can run there: it tolerates that node's taints, runs on the host's
 * network until a network plugin runs, and is {@code system-cluster-critical}, as the cluster's own add-ons are.
 */
public final class AgentManifests {

    public static final String NAMESPACE = "pivotplane-system";
    public static final String NAME = "pivotplane-agent";
    public static final String CONFIG_SECRET = "pivotplane-agent-config";
    public static final String APP_LABEL = "app.kubernetes.io/name";
    public static final String DEFAULT_IMAGE = "ghcr.io/pivotplane/agent:0.1.0";

    private AgentManifests() {
    }

    /**
     * Where the agent's pod sits on the network. Before a network plugin runs in the cluster no pod gets an
     * address of its own, so the agent first runs on its node's network ({@code HOST}); once the bootstrap
     * layer's network plugin is rolled out, pivot-service moves it onto the pod network ({@code POD}).
     */
    public enum Network {
        HOST,
        POD
    }

    /** The taints a node of a control plane still starting carries, all of which the agent must tolerate. */
    public static final List<String> TOLERATED_TAINTS = List.of(
            // kubeadm puts it on every control-plane node, and CP-A is the only node the cluster has at first
            "node-role.kubernetes.io/control-plane",
            // the kubelet's, until a network plugin runs on the node
            "node.kubernetes.io/not-ready",
            // set with cloud-provider: external, until the provider's cloud-controller-manager initialises the node
            "node.cloudprovider.kubernetes.io/uninitialized");

    public static List<HasMetadata> render(AgentConfig config, String image, Network network) {
        // sorted, so that the manifests render the same every time
        Map<String, String> labels = new java.util.TreeMap<>(Map.of(APP_LABEL, NAME, "app.kubernetes.io/part-of", "pivotplane"));
        return List.of(
                new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).withLabels(labels).endMetadata().build(),
                new ServiceAccountBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                        .withLabels(labels).endMetadata().build(),
                new ClusterRoleBuilder().withNewMetadata().withName(NAME).withLabels(labels).endMetadata()
                        .withRules(
                                // the CAPI objects of its own cluster, which it scales after the pivot, and the
                                // objects of add-on manifests, which may be of any kind: the profile decides, as
                                // with a Helm release, and add-ons are upgraded and removed as well as created
                                new PolicyRuleBuilder().withApiGroups("*").withResources("*")
                                        .withVerbs("get", "list", "watch", "create", "update", "patch", "delete")
                                        .build(),
                                // a network plugin's or a CSI driver's manifests grant roles of their own: the API
                                // server lets only a holder of every granted permission, or of these, create them
                                new PolicyRuleBuilder().withApiGroups("rbac.authorization.k8s.io")
                                        .withResources("clusterroles", "roles").withVerbs("escalate", "bind")
                                        .build())
                        .build(),
                new ClusterRoleBindingBuilder().withNewMetadata().withName(NAME).withLabels(labels).endMetadata()
                        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                        .withName(NAME).endRoleRef()
                        .addNewSubject().withKind("ServiceAccount").withName(NAME).withNamespace(NAMESPACE)
                        .endSubject().build(),
                new SecretBuilder().withNewMetadata().withName(CONFIG_SECRET).withNamespace(NAMESPACE)
                        .withLabels(labels).endMetadata()
                        .withStringData(config.toEnvironment()).build(),
                new DeploymentBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE).withLabels(labels)
                        .endMetadata()
                        .withNewSpec().withReplicas(1)
                        .withNewSelector().addToMatchLabels(APP_LABEL, NAME).endSelector()
                        .withNewStrategy().withType("Recreate").endStrategy()
                        .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec().withServiceAccountName(NAME)
                        .withPriorityClassName("system-cluster-critical")
                        .withHostNetwork(network == Network.HOST)
                        // on the node's network the cluster's DNS may not run yet: the node's resolver finds Kafka
                        .withDnsPolicy(network == Network.HOST ? "Default" : "ClusterFirst")
                        .withTolerations(TOLERATED_TAINTS.stream().map(key -> new TolerationBuilder().withKey(key)
                                .withOperator("Exists").build()).toList())
                        .withNewSecurityContext().withRunAsNonRoot(true).endSecurityContext()
                        .addNewContainer().withName("agent").withImage(image)
                        .addNewEnvFrom().withNewSecretRef().withName(CONFIG_SECRET).endSecretRef().endEnvFrom()
                        .withNewResources()
                        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("50m"))
                        .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi"))
                        // Helm's library renders charts inside the agent's process
                        .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("384Mi"))
                        .endResources()
                        .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                        .endSecurityContext()
                        // the only writable folder: the chart cache, and Helm's native library unpacked at start
                        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                        .endContainer()
                        .addNewVolume().withName("tmp").withNewEmptyDir()
                        .withSizeLimit(new io.fabric8.kubernetes.api.model.Quantity("256Mi")).endEmptyDir().endVolume()
                        .endSpec().endTemplate().endSpec().build());
    }
}
