package io.pivotplane.agent.install;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.pivotplane.agent.AgentConfig;
import java.util.List;
import java.util.Map;

/**
 * The one definition of how the agent is installed into a workload cluster: pivot-service applies these, in
 * this order, and they are rendered under {@code deploy/agent/} for review.
 */
public final class AgentManifests {

    public static final String NAMESPACE = "pivotplane-system";
    public static final String NAME = "pivotplane-agent";
    public static final String CONFIG_SECRET = "pivotplane-agent-config";
    public static final String APP_LABEL = "app.kubernetes.io/name";
    public static final String DEFAULT_IMAGE = "ghcr.io/pivotplane/agent:0.1.0";

    private AgentManifests() {
    }

    public static List<HasMetadata> render(AgentConfig config, String image) {
        // sorted, so that the manifests render the same every time
        Map<String, String> labels = new java.util.TreeMap<>(Map.of(APP_LABEL, NAME, "app.kubernetes.io/part-of", "pivotplane"));
        return List.of(
                new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).withLabels(labels).endMetadata().build(),
                new ServiceAccountBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                        .withLabels(labels).endMetadata().build(),
                new ClusterRoleBuilder().withNewMetadata().withName(NAME).withLabels(labels).endMetadata()
                        .withRules(
                                // the CAPI objects of its own cluster, which it scales after the pivot
                                new PolicyRuleBuilder().withApiGroups("cluster.x-k8s.io",
                                                "controlplane.cluster.x-k8s.io", "bootstrap.cluster.x-k8s.io",
                                                "infrastructure.cluster.x-k8s.io")
                                        .withResources("*").withVerbs("get", "list", "watch", "create", "update",
                                                "patch", "delete").build(),
                                // add-on manifests may hold any kind: the profile decides, as with a Helm release
                                new PolicyRuleBuilder().withApiGroups("*").withResources("*")
                                        .withVerbs("get", "list", "watch", "create", "update", "patch").build())
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
                        .withNewSecurityContext().withRunAsNonRoot(true).endSecurityContext()
                        .addNewContainer().withName("agent").withImage(image)
                        .addNewEnvFrom().withNewSecretRef().withName(CONFIG_SECRET).endSecretRef().endEnvFrom()
                        .withNewResources()
                        .addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("50m"))
                        .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("128Mi"))
                        .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi"))
                        .endResources()
                        .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                        .endSecurityContext()
                        .endContainer()
                        .endSpec().endTemplate().endSpec().build());
    }
}
