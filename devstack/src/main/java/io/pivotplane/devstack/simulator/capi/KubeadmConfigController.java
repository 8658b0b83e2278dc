package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.devstack.infra.MultiClusterApiServer.ClusterApi;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CABPK's KubeadmConfig controller ({@code bootstrap/kubeadm/internal/controllers}): a config owned by a Machine gets
 * its bootstrap data Secret (named like the config, {@code value} and {@code format}, owned by the config) and
 * {@code status.ready}/{@code dataSecretName} once the Cluster's infrastructure is ready: the init config of the first
 * control-plane machine under the cluster's init lock, every join config only once the control plane is initialized,
 * with a bootstrap token created in the workload cluster. Files whose content comes from a Secret read it, and wait
 * for it.
 */
final class KubeadmConfigController extends Controller {

    private static final Logger LOG = LoggerFactory.getLogger(KubeadmConfigController.class);
    private static final Duration NOT_INITIALIZED_REQUEUE = Duration.ofSeconds(30);
    /** CABPK's default {@code --bootstrap-token-ttl}. */
    private static final Duration TOKEN_TTL = Duration.ofMinutes(15);
    private static final Set<String> WATCHES = Set.of(Capi.KUBEADM_CONFIG, Capi.MACHINE, Capi.CLUSTER);

    KubeadmConfigController(ControllerHost host) {
        super(host);
    }

    @Override
    CapiProvider provider() {
        return CapiProvider.KUBEADM_BOOTSTRAP;
    }

    @Override
    Set<String> watches() {
        return WATCHES;
    }

    @Override
    Optional<Duration> reconcile(Key key) {
        Optional<Duration> again = done();
        for (GenericKubernetesResource config : api.ofCluster(Kind.KUBEADM_CONFIG, key.namespace(), key.name())) {
            again = MachineController.earliest(again, reconcile(config));
        }
        return again;
    }

    private Optional<Duration> reconcile(GenericKubernetesResource config) {
        GenericKubernetesResource machine = Clusters.ownerMachine(api, config);
        if (machine == null) {
            return done();
        }
        String clusterName = ObjectMaps.string(machine, "spec", "clusterName").orElse(Clusters.clusterName(machine));
        GenericKubernetesResource cluster = api.get(Kind.CLUSTER, config.getMetadata().getNamespace(), clusterName);
        if (cluster == null || Clusters.paused(cluster, config) || Api.deleting(config)) {
            return done();
        }
        ensureSecretOwned(config);
        Map<String, Object> status = new LinkedHashMap<>(Api.normalized(config.getAdditionalProperties().get("status")));
        Conditions conditions = Conditions.of(config);
        Optional<Duration> again = done();
        Optional<String> ownerSecret = ObjectMaps.string(machine, "spec", "bootstrap", "dataSecretName");
        if (!ObjectMaps.isTrue(cluster, "status", "infrastructureReady")) {
            conditions.markFalse("DataSecretAvailable", "WaitingForClusterInfrastructure", Conditions.INFO, null);
        } else if (ownerSecret.isPresent() && (!Boolean.TRUE.equals(status.get("ready")) || !status.containsKey("dataSecretName"))) {
            status.put("ready", true);
            status.put("dataSecretName", ownerSecret.get());
            conditions.markTrue("DataSecretAvailable");
        } else if (Boolean.TRUE.equals(status.get("ready"))) {
            conditions.markTrue("DataSecretAvailable");
        } else if (!Clusters.conditionTrue(cluster, Capi.CONDITION_CONTROL_PLANE_INITIALIZED)) {
            again = handleClusterNotInitialized(config, machine, cluster, status, conditions);
        } else {
            unlock(cluster);
            join(config, machine, cluster, status, conditions);
        }
        conditions.summary("DataSecretAvailable", "CertificatesAvailable");
        status.put("conditions", conditions.toList());
        status.put("observedGeneration", config.getMetadata().getGeneration());
        api.writeStatus(Kind.KUBEADM_CONFIG, config, status);
        return again;
    }

    private Optional<Duration> handleClusterNotInitialized(GenericKubernetesResource config,
                                                           GenericKubernetesResource machine,
                                                           GenericKubernetesResource cluster,
                                                           Map<String, Object> status, Conditions conditions) {
        if (!"DataSecretGenerationFailed".equals(conditions.get("DataSecretAvailable")
                .map(c -> c.get("reason")).orElse(null))) {
            conditions.markFalse("DataSecretAvailable", "WaitingForControlPlaneAvailable", Conditions.INFO, null);
        }
        if (!Clusters.controlPlaneMachine(machine)) {
            return after(NOT_INITIALIZED_REQUEUE);
        }
        if (ObjectMaps.at(config, "spec", "initConfiguration").isEmpty()
                && ObjectMaps.at(config, "spec", "clusterConfiguration").isEmpty()) {
            return after(NOT_INITIALIZED_REQUEUE);
        }
        if (!lock(cluster, machine)) {
            return after(NOT_INITIALIZED_REQUEUE);
        }
        lookupOrGenerateCertificates(cluster, config);
        conditions.markTrue("CertificatesAvailable");
        List<Map<String, Object>> kubeadm = List.of(
                clusterConfiguration(config, machine, cluster),
                kubeadmDocument("InitConfiguration", ObjectMaps.at(config, "spec", "initConfiguration").orElse(null),
                        machine));
        storeBootstrapData(config, cluster, CloudConfig.render(Key.of(cluster), ObjectMaps.string(machine, "spec",
                "version"), true, kubeadm, files(config), strings(config, "preKubeadmCommands"),
                strings(config, "postKubeadmCommands")), status, conditions);
        LOG.info("[{}] KubeadmConfig {}: init data for the first control-plane Machine {}", host.name(),
                Key.of(config), machine.getMetadata().getName());
        return done();
    }

    private void join(GenericKubernetesResource config, GenericKubernetesResource machine,
                      GenericKubernetesResource cluster, Map<String, Object> status, Conditions conditions) {
        boolean controlPlane = Clusters.controlPlaneMachine(machine);
        List<String> certificates = controlPlane
                ? certificateNames(cluster).stream().filter(n -> !n.endsWith("-kubeconfig")).toList()
                : List.of(cluster.getMetadata().getName() + "-ca");
        for (String name : certificates) {
            if (api.secret(cluster.getMetadata().getNamespace(), name) == null) {
                conditions.markFalse("CertificatesAvailable", "CertificatesCorrupted", Conditions.ERROR,
                        "missing certificate " + name);
                throw new IllegalStateException("cluster certificate " + name + " not found");
            }
        }
        conditions.markTrue("CertificatesAvailable");
        ClusterApi workload = host.remote().workload(Key.of(cluster)).orElseThrow(() ->
                new IllegalStateException("workload cluster of " + Key.of(cluster) + " not reachable to create a token"));
        String token = createToken(workload.client());
        Map<String, Object> join = CloudConfig.asMap(ObjectMaps.at(config, "spec", "joinConfiguration").orElse(null));
        Map<String, Object> discovery = CloudConfig.asMap(join.get("discovery"));
        Map<String, Object> bootstrapToken = CloudConfig.asMap(discovery.get("bootstrapToken"));
        bootstrapToken.put("apiServerEndpoint", Clusters.endpoint(cluster));
        bootstrapToken.put("token", token);
        bootstrapToken.put("caCertHashes", List.of("sha256:" + caHash(cluster)));
        discovery.put("bootstrapToken", bootstrapToken);
        join.put("discovery", discovery);
        if (controlPlane && join.get("controlPlane") == null) {
            join.put("controlPlane", new LinkedHashMap<>());
        }
        // CABPK writes the token it made into the config's spec
        GenericKubernetesResource updated = api.change(Kind.KUBEADM_CONFIG, config, c -> {
            ObjectMaps.mapAt(c, "spec").put("joinConfiguration", join);
            return c;
        });
        config.setAdditionalProperty("spec", updated.getAdditionalProperties().get("spec"));
        List<Map<String, Object>> kubeadm = List.of(kubeadmDocument("JoinConfiguration", join, machine));
        storeBootstrapData(config, cluster, CloudConfig.render(Key.of(cluster), ObjectMaps.string(machine, "spec",
                "version"), false, kubeadm, files(config), strings(config, "preKubeadmCommands"),
                strings(config, "postKubeadmCommands")), status, conditions);
        LOG.info("[{}] KubeadmConfig {}: join data for {} Machine {}", host.name(), Key.of(config),
                controlPlane ? "control-plane" : "worker", machine.getMetadata().getName());
    }

    /** The kubeadm ClusterConfiguration CABPK completes from the Cluster and the Machine. */
    private static Map<String, Object> clusterConfiguration(GenericKubernetesResource config,
                                                            GenericKubernetesResource machine,
                                                            GenericKubernetesResource cluster) {
        Map<String, Object> configuration = kubeadmDocument("ClusterConfiguration",
                ObjectMaps.at(config, "spec", "clusterConfiguration").orElse(null), machine);
        configuration.put("clusterName", cluster.getMetadata().getName());
        configuration.put("controlPlaneEndpoint", Clusters.endpoint(cluster));
        ObjectMaps.string(machine, "spec", "version").ifPresent(v -> configuration.put("kubernetesVersion", v));
        Map<String, Object> networking = CloudConfig.asMap(configuration.get("networking"));
        ObjectMaps.at(cluster, "spec", "clusterNetwork", "pods", "cidrBlocks").filter(List.class::isInstance)
                .ifPresent(blocks -> networking.put("podSubnet", String.join(",", ((List<?>) blocks).stream()
                        .map(String::valueOf).toList())));
        ObjectMaps.at(cluster, "spec", "clusterNetwork", "services", "cidrBlocks").filter(List.class::isInstance)
                .ifPresent(blocks -> networking.put("serviceSubnet", String.join(",", ((List<?>) blocks).stream()
                        .map(String::valueOf).toList())));
        ObjectMaps.string(cluster, "spec", "clusterNetwork", "serviceDomain").ifPresent(d -> networking.put("dnsDomain", d));
        configuration.put("networking", networking);
        return configuration;
    }

    private static Map<String, Object> kubeadmDocument(String kind, Object spec, GenericKubernetesResource machine) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("apiVersion", "kubeadm.k8s.io/" + kubeadmApiVersion(ObjectMaps.string(machine, "spec", "version")
                .orElse("v1.30.0")));
        document.put("kind", kind);
        document.putAll(Api.normalized(spec));
        return document;
    }

    /** CABPK writes kubeadm's v1beta4 API from Kubernetes v1.31 on, v1beta3 before. */
    private static String kubeadmApiVersion(String version) {
        String[] parts = version.replaceFirst("^v", "").split("\\.");
        int minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("[^0-9].*", "")) : 0;
        return minor >= 31 ? "v1beta4" : "v1beta3";
    }

    /** resolveFiles: content from a Secret is read from it; a missing one fails the data generation. */
    private List<Map<String, Object>> files(GenericKubernetesResource config) {
        List<Map<String, Object>> files = new ArrayList<>();
        Object spec = ObjectMaps.at(config, "spec", "files").orElse(List.of());
        for (Object item : (List<?>) spec) {
            Map<String, Object> file = CloudConfig.asMap(item);
            Object source = file.remove("contentFrom");
            if (source != null) {
                Map<String, Object> secretRef = CloudConfig.asMap(CloudConfig.asMap(source).get("secret"));
                Secret secret = api.secret(config.getMetadata().getNamespace(), String.valueOf(secretRef.get("name")));
                String content = Api.data(secret, String.valueOf(secretRef.get("key")));
                if (content == null) {
                    throw new IllegalStateException("failed to resolve file source: secret "
                            + config.getMetadata().getNamespace() + "/" + secretRef.get("name") + " key "
                            + secretRef.get("key") + " not found");
                }
                file.put("content", content);
            }
            files.add(file);
        }
        return files;
    }

    private static List<String> strings(GenericKubernetesResource config, String field) {
        return ObjectMaps.at(config, "spec", field).filter(List.class::isInstance)
                .map(list -> ((List<?>) list).stream().map(String::valueOf).toList()).orElse(List.of());
    }

    /** storeBootstrapData of kubeadmconfig_controller.go. */
    private void storeBootstrapData(GenericKubernetesResource config, GenericKubernetesResource cluster, String data,
                                    Map<String, Object> status, Conditions conditions) {
        String format = ObjectMaps.string(config, "spec", "format").orElse("cloud-config");
        Secret secret = new SecretBuilder().withNewMetadata().withName(config.getMetadata().getName())
                .withNamespace(config.getMetadata().getNamespace())
                .addToLabels(Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName())
                .withOwnerReferences(Api.ownerReference(config, true)).endMetadata()
                .withType(Clusters.SECRET_TYPE)
                .withData(Api.base64(Map.of("value", data, "format", format)))
                .build();
        Secret existing = api.secret(config.getMetadata().getNamespace(), config.getMetadata().getName());
        if (existing == null) {
            api.createOrGet(secret);
        } else {
            existing.setData(secret.getData());
            api.client().secrets().resource(existing).update();
        }
        status.put("dataSecretName", config.getMetadata().getName());
        status.put("ready", true);
        conditions.markTrue("DataSecretAvailable");
    }

    /** ensureBootstrapSecretOwnersRef: the data Secret is controlled by its config. */
    private void ensureSecretOwned(GenericKubernetesResource config) {
        Secret secret = api.secret(config.getMetadata().getNamespace(), config.getMetadata().getName());
        if (secret == null || Api.controllerOf(secret).map(o -> o.getUid().equals(config.getMetadata().getUid()))
                .orElse(false)) {
            return;
        }
        secret.getMetadata().setOwnerReferences(new ArrayList<>(Api.owners(secret).stream()
                .filter(o -> !Boolean.TRUE.equals(o.getController())).toList()));
        Api.ensureOwnerReference(secret, Api.ownerReference(config, true));
        api.client().secrets().resource(secret).update();
    }

    // the control plane's init lock (control_plane_init_mutex.go): a ConfigMap <cluster>-lock

    private boolean lock(GenericKubernetesResource cluster, GenericKubernetesResource machine) {
        String name = cluster.getMetadata().getName() + "-lock";
        String namespace = cluster.getMetadata().getNamespace();
        String information = "{\"machineName\":\"" + machine.getMetadata().getName() + "\"}";
        ConfigMap existing = api.client().configMaps().inNamespace(namespace).withName(name).get();
        if (existing != null) {
            String holder = existing.getData() == null ? "" : existing.getData().getOrDefault("lock-information", "");
            if (holder.equals(information)) {
                return true;
            }
            String other = holder.replaceAll(".*\"machineName\":\"([^\"]*)\".*", "$1");
            if (api.get(Kind.MACHINE, namespace, other) != null) {
                return false;
            }
            api.client().configMaps().resource(existing).delete();
        }
        api.createOrGet(new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName())
                .withOwnerReferences(Api.ownerReference(cluster, false)).endMetadata()
                .addToData("lock-information", information).build());
        ConfigMap held = api.client().configMaps().inNamespace(namespace).withName(name).get();
        return held != null && information.equals(held.getData().get("lock-information"));
    }

    private void unlock(GenericKubernetesResource cluster) {
        api.client().configMaps().inNamespace(cluster.getMetadata().getNamespace())
                .withName(cluster.getMetadata().getName() + "-lock").delete();
    }

    /** certificates.LookupOrGenerate: the cluster's CA, etcd, service-account and front-proxy certificates. */
    private void lookupOrGenerateCertificates(GenericKubernetesResource cluster, GenericKubernetesResource config) {
        for (String name : certificateNames(cluster)) {
            if (name.endsWith("-kubeconfig") || api.secret(cluster.getMetadata().getNamespace(), name) != null) {
                continue;
            }
            api.createOrGet(certificate(cluster, name, config));
        }
    }

    static List<String> certificateNames(GenericKubernetesResource cluster) {
        return Capi.controlPlaneSecretNames(cluster.getMetadata().getName());
    }

    /** A cluster certificate Secret as CAPI's {@code secret.Certificate.AsSecret} writes it. */
    static Secret certificate(GenericKubernetesResource cluster, String name, GenericKubernetesResource owner) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(cluster.getMetadata().getNamespace())
                .addToLabels(Capi.CLUSTER_NAME_LABEL, cluster.getMetadata().getName())
                .withOwnerReferences(Api.ownerReference(owner, true)).endMetadata()
                .withType(Clusters.SECRET_TYPE)
                .withData(Api.base64(Map.of("tls.crt", "-----BEGIN CERTIFICATE-----\nsimulated " + name
                                + " " + Clusters.randomHex(32) + "\n-----END CERTIFICATE-----\n",
                        "tls.key", "-----BEGIN RSA PRIVATE KEY-----\nsimulated\n-----END RSA PRIVATE KEY-----\n")))
                .build();
    }

    private String caHash(GenericKubernetesResource cluster) {
        String ca = Api.data(api.secret(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName() + "-ca"),
                "tls.crt");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(String.valueOf(ca).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** createToken of token.go: a bootstrap token Secret in the workload cluster's kube-system. */
    private static String createToken(KubernetesClient workload) {
        String id = Clusters.randomHex(6);
        String secret = Clusters.randomHex(16);
        workload.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata()
                .withName("bootstrap-token-" + id).withNamespace("kube-system").endMetadata()
                .withType("bootstrap.kubernetes.io/token")
                .withData(Api.base64(Map.of(
                        "token-id", id, "token-secret", secret,
                        "usage-bootstrap-authentication", "true", "usage-bootstrap-signing", "true",
                        "auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token",
                        "expiration", Instant.now().plus(TOKEN_TTL).truncatedTo(ChronoUnit.SECONDS).toString())))
                .build()).create();
        return id + "." + secret;
    }
}
