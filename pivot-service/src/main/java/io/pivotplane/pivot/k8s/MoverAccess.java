package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.k8s.Kubeconfigs;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * pivot-service's own way into a workload cluster, from the end of its preparation on (the rest of the pivot) and
 * for the reverse pivot before the cluster is deleted: a ServiceAccount there with what moving the cluster's objects
 * in and out needs, and its token in a kubeconfig Secret that stays in the management cluster. The
 * {@code <cluster>-kubeconfig} Secret moves into the workload cluster with the rest, and the control-plane provider
 * rotates its certificate there; a token of pivot-service's own does not expire with it and can be revoked by
 * deleting the account.
 */
public final class MoverAccess {

    public static final String NAME = "pivotplane-mover";
    static final String TOKEN_SECRET = NAME + "-token";
    static final String KUBECONFIG_KEY = Capi.KUBECONFIG_KEY;

    private MoverAccess() {
    }

    /** The account, its rights and its token, to apply in the workload cluster. */
    public static List<HasMetadata> objects() {
        return List.of(
                new ServiceAccountBuilder().withNewMetadata().withName(NAME).withNamespace(AgentManifests.NAMESPACE)
                        .endMetadata().build(),
                new ClusterRoleBuilder().withNewMetadata().withName(NAME).endMetadata().withRules(
                        // the cluster's CAPI objects and its identities: the rest of the pivot creates them and
                        // unpauses the Cluster, the reverse pivot pauses, reads and deletes them
                        new PolicyRuleBuilder().withApiGroups("cluster.x-k8s.io", "controlplane.cluster.x-k8s.io",
                                        "bootstrap.cluster.x-k8s.io", "infrastructure.cluster.x-k8s.io",
                                        "addons.cluster.x-k8s.io", "ipam.cluster.x-k8s.io", "resources.azure.com",
                                        "network.azure.com", "containerservice.azure.com",
                                        "kubernetesconfiguration.azure.com")
                                .withResources("*")
                                .withVerbs("get", "list", "watch", "create", "update", "patch", "delete").build(),
                        // kinds clusterctl's discovery reads that nothing of a cluster is made of
                        new PolicyRuleBuilder().withApiGroups("cert-manager.io", "acme.cert-manager.io",
                                "runtime.cluster.x-k8s.io").withResources("*").withVerbs("get", "list").build(),
                        // the Secrets and ConfigMaps that move with them, and the namespaces they go into
                        new PolicyRuleBuilder().withApiGroups("").withResources("secrets", "configmaps")
                                .withVerbs("get", "list", "create", "update", "patch", "delete").build(),
                        new PolicyRuleBuilder().withApiGroups("").withResources("namespaces")
                                .withVerbs("get", "create").build(),
                        // what the move's discovery reads: the kinds and the providers' inventory
                        new PolicyRuleBuilder().withApiGroups("apiextensions.k8s.io")
                                .withResources("customresourcedefinitions").withVerbs("get", "list").build(),
                        new PolicyRuleBuilder().withApiGroups("clusterctl.cluster.x-k8s.io").withResources("providers")
                                .withVerbs("get", "list").build())
                        .build(),
                new ClusterRoleBindingBuilder().withNewMetadata().withName(NAME).endMetadata()
                        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                        .withName(NAME).endRoleRef()
                        .addNewSubject().withKind("ServiceAccount").withName(NAME)
                        .withNamespace(AgentManifests.NAMESPACE).endSubject().build(),
                // a token Secret, filled by the cluster's token controller, that does not expire
                new SecretBuilder().withNewMetadata().withName(TOKEN_SECRET).withNamespace(AgentManifests.NAMESPACE)
                        .addToAnnotations("kubernetes.io/service-account.name", NAME).endMetadata()
                        .withType("kubernetes.io/service-account-token").build());
    }

    /** The name of the Secret in the management cluster that holds the way back into a cluster. */
    public static String kubeconfigSecretName(String clusterId) {
        return "pivotplane-workload-" + clusterId;
    }

    /**
     * The kubeconfig Secret to keep in the management cluster, once the token controller has filled the token; its
     * name does not parse as {@code <cluster>-<purpose>}, so no move takes it for one of the cluster's own.
     */
    public static Optional<Secret> kubeconfigSecret(KubernetesClient workload, String apiEndpoint, String namespace,
                                                    String clusterId) {
        Secret token = workload.secrets().inNamespace(AgentManifests.NAMESPACE).withName(TOKEN_SECRET).get();
        if (token == null || token.getData() == null || token.getData().get("token") == null) {
            return Optional.empty();
        }
        String ca = token.getData().get("ca.crt");
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: workload
                  cluster:
                    server: %s
                %s
                contexts:
                - name: %s@workload
                  context:
                    cluster: workload
                    user: %s
                current-context: %s@workload
                users:
                - name: %s
                  user:
                    token: %s
                """.formatted(apiEndpoint, ca == null ? "" : "    certificate-authority-data: " + ca, NAME, NAME,
                NAME, NAME, new String(Base64.getDecoder().decode(token.getData().get("token")),
                        StandardCharsets.UTF_8));
        return Optional.of(new SecretBuilder().withNewMetadata().withName(kubeconfigSecretName(clusterId))
                .withNamespace(namespace).addToLabels(Capi.CLUSTER_ID_LABEL, clusterId).endMetadata()
                .withType("Opaque")
                .addToData(KUBECONFIG_KEY, Base64.getEncoder().encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8)))
                .build());
    }

    /** A client of the workload cluster through pivot-service's own account there. */
    public static Optional<KubernetesClient> client(KubernetesClient management, HttpClient.Factory httpClients,
                                                    String namespace, String clusterId) {
        Secret secret = management.secrets().inNamespace(namespace).withName(kubeconfigSecretName(clusterId)).get();
        Optional<Config> config = Kubeconfigs.fromSecret(secret);
        return config.map(c -> MoveOperations.client(c, httpClients, management));
    }
}
