package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What cert-manager (v1.16) does in a cluster where its Deployments are available (found by
 * {@code app.kubernetes.io/instance=cert-manager} and {@code app.kubernetes.io/component} controller, cainjector,
 * webhook, as its release manifest labels them): its controller readies self-signed and CA issuers and issues each
 * Certificate of a ready issuer into its {@code spec.secretName} Secret ({@code kubernetes.io/tls}: {@code tls.crt},
 * {@code tls.key}, {@code ca.crt}, with the annotations cert-manager writes), then marks it Ready; its webhook creates
 * its own serving CA Secret; its cainjector fills the {@code caBundle} of webhook configurations, conversion webhooks of
 * CRDs and APIServices annotated {@code cert-manager.io/inject-ca-from} (a Certificate) or
 * {@code cert-manager.io/inject-ca-from-secret} (a Secret that allows it). The certificates are not real X.509: their
 * PEM blocks carry a description, which nothing in the simulation parses.
 */
final class CertManager {

    private static final Logger LOG = LoggerFactory.getLogger(CertManager.class);
    static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
    static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    static final String INJECT_FROM_CERTIFICATE = "cert-manager.io/inject-ca-from";
    static final String INJECT_FROM_SECRET = "cert-manager.io/inject-ca-from-secret";
    static final String ALLOW_INJECTION = "cert-manager.io/allow-direct-injection";
    static final String CERTIFICATE_NAME = "cert-manager.io/certificate-name";
    private static final String GROUP = "cert-manager.io";

    private final KubernetesClient client;
    private final Retries retries;

    CertManager(KubernetesClient client, Retries retries) {
        this.client = client;
        this.retries = retries;
    }

    /** cert-manager's Deployments of one component that are available, as running workloads. */
    private static Optional<ClusterInternals.Workload> component(List<ClusterInternals.Workload> workloads,
                                                                 String component) {
        return workloads.stream().filter(w -> w.kind().equals("Deployment") && w.available())
                .filter(w -> "cert-manager".equals(w.labels().get(INSTANCE_LABEL))
                        && component.equals(w.labels().get(COMPONENT_LABEL)))
                .findFirst();
    }

    void reconcile(ClusterObjects objects, List<ClusterInternals.Workload> workloads) {
        Optional<ClusterInternals.Workload> controller = component(workloads, "controller");
        Optional<ClusterInternals.Workload> webhook = component(workloads, "webhook");
        Optional<ClusterInternals.Workload> cainjector = component(workloads, "cainjector");
        webhook.ifPresent(w -> ensureWebhookCa(objects, w));
        if (controller.isPresent()) {
            String clusterResourceNamespace = controller.get().namespace();
            readyIssuers(objects, clusterResourceNamespace);
            issueCertificates(objects, clusterResourceNamespace);
        }
        if (cainjector.isPresent()) {
            injectCaBundles(objects);
        }
    }

    // --- the webhook's serving CA -----------------------------------------------------------------------------------

    private void ensureWebhookCa(ClusterObjects objects, ClusterInternals.Workload webhook) {
        String name = null;
        String namespace = webhook.namespace();
        for (List<String> line : webhook.template().commandLines()) {
            for (String arg : line) {
                if (arg.startsWith("--dynamic-serving-ca-secret-name=")) {
                    name = arg.substring("--dynamic-serving-ca-secret-name=".length());
                }
                if (arg.startsWith("--dynamic-serving-ca-secret-namespace=")
                        && !arg.contains("$(")) {
                    namespace = arg.substring("--dynamic-serving-ca-secret-namespace=".length());
                }
            }
        }
        if (name == null || objects.exists(ClusterObjects.SECRET, namespace, name)) {
            return;
        }
        String ca = pem("CERTIFICATE", "cert-manager-webhook-ca of " + namespace);
        create(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToAnnotations(ALLOW_INJECTION, "true").endMetadata()
                .withType("kubernetes.io/tls")
                .withData(base64(Map.of("ca.crt", ca, "tls.crt", ca, "tls.key", pem("PRIVATE KEY", name))))
                .build());
    }

    // --- issuers ----------------------------------------------------------------------------------------------------

    private void readyIssuers(ClusterObjects objects, String clusterResourceNamespace) {
        for (String kind : List.of(ClusterObjects.ISSUER, ClusterObjects.CLUSTER_ISSUER)) {
            for (GenericKubernetesResource issuer : objects.all(kind)) {
                Map<String, Object> spec = map(issuer.getAdditionalProperties().get("spec"));
                String[] ready;
                if (spec.containsKey("selfSigned")) {
                    ready = new String[] {"True", "IsReady", ""};
                } else if (spec.get("ca") instanceof Map<?, ?> ca) {
                    String namespace = kind.equals(ClusterObjects.ISSUER) ? issuer.getMetadata().getNamespace()
                            : clusterResourceNamespace;
                    String secretName = String.valueOf(ca.get("secretName"));
                    ready = objects.get(ClusterObjects.SECRET, namespace, secretName)
                            .filter(s -> ClusterObjects.dataKeys(s).containsAll(List.of("tls.crt", "tls.key")))
                            .isPresent()
                            ? new String[] {"True", "KeyPairVerified", "Signing CA verified"}
                            : new String[] {"False", "ErrGetKeyPair", "Error getting keypair for CA issuer: secrets \""
                            + secretName + "\" not found"};
                } else {
                    continue; // ACME, Vault, Venafi: nothing here can reach them
                }
                setReady(issuer, ready[0], ready[1], ready[2]);
            }
        }
    }

    private Optional<GenericKubernetesResource> readyIssuer(ClusterObjects objects, GenericKubernetesResource
            certificate) {
        Map<String, Object> ref = map(map(certificate.getAdditionalProperties().get("spec")).get("issuerRef"));
        String kind = String.valueOf(ref.getOrDefault("kind", "Issuer"));
        String group = String.valueOf(ref.getOrDefault("group", GROUP));
        if (!group.equals(GROUP)) {
            return Optional.empty(); // an external issuer: its own controller would issue
        }
        Optional<GenericKubernetesResource> issuer = kind.equals("ClusterIssuer")
                ? objects.get(ClusterObjects.CLUSTER_ISSUER, null, String.valueOf(ref.get("name")))
                : objects.get(ClusterObjects.ISSUER, certificate.getMetadata().getNamespace(),
                String.valueOf(ref.get("name")));
        return issuer.filter(i -> "True".equals(readyStatus(i)));
    }

    // --- certificates -----------------------------------------------------------------------------------------------

    private void issueCertificates(ClusterObjects objects, String clusterResourceNamespace) {
        for (GenericKubernetesResource certificate : objects.all(ClusterObjects.CERTIFICATE)) {
            String namespace = certificate.getMetadata().getNamespace();
            Map<String, Object> spec = map(certificate.getAdditionalProperties().get("spec"));
            String secretName = String.valueOf(spec.get("secretName"));
            Optional<GenericKubernetesResource> issuer = readyIssuer(objects, certificate);
            if (issuer.isEmpty()) {
                if (!objects.exists(ClusterObjects.SECRET, namespace, secretName)) {
                    setReady(certificate, "False", "DoesNotExist", "Issuing certificate as Secret does not exist");
                }
                continue;
            }
            Optional<GenericKubernetesResource> secret = objects.get(ClusterObjects.SECRET, namespace, secretName);
            boolean issued = secret.isPresent()
                    && ClusterObjects.dataKeys(secret.get()).containsAll(List.of("tls.crt", "tls.key"))
                    && certificate.getMetadata().getName().equals(annotations(secret.get()).get(CERTIFICATE_NAME));
            if (!issued) {
                issue(certificate, spec, issuer.get(), secret, objects, clusterResourceNamespace);
            }
            setReady(certificate, "True", "Ready", "Certificate is up to date and has not expired");
        }
    }

    private void issue(GenericKubernetesResource certificate, Map<String, Object> spec,
                       GenericKubernetesResource issuer, Optional<GenericKubernetesResource> existing,
                       ClusterObjects objects, String clusterResourceNamespace) {
        String namespace = certificate.getMetadata().getNamespace();
        String secretName = String.valueOf(spec.get("secretName"));
        List<String> dnsNames = strings(spec.get("dnsNames"));
        String commonName = spec.get("commonName") == null ? null : String.valueOf(spec.get("commonName"));
        String subject = "certificate " + namespace + "/" + certificate.getMetadata().getName() + " for "
                + String.join(",", dnsNames);
        String certificatePem = pem("CERTIFICATE", subject);
        String ca = certificatePem;
        Map<String, Object> issuerSpec = map(issuer.getAdditionalProperties().get("spec"));
        if (issuerSpec.get("ca") instanceof Map<?, ?> caSpec) {
            String caNamespace = issuer.getKind().equals("ClusterIssuer") ? clusterResourceNamespace
                    : issuer.getMetadata().getNamespace();
            ca = objects.get(ClusterObjects.SECRET, caNamespace, String.valueOf(caSpec.get("secretName")))
                    .flatMap(s -> ClusterObjects.dataValue(s, "tls.crt")).orElse(certificatePem);
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, Object> template = map(spec.get("secretTemplate"));
        map(template.get("annotations")).forEach((k, v) -> annotations.put(k, String.valueOf(v)));
        map(template.get("labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
        annotations.put("cert-manager.io/alt-names", String.join(",", dnsNames));
        annotations.put("cert-manager.io/common-name", commonName == null ? "" : commonName);
        annotations.put("cert-manager.io/ip-sans", String.join(",", strings(spec.get("ipAddresses"))));
        annotations.put("cert-manager.io/uri-sans", String.join(",", strings(spec.get("uris"))));
        annotations.put(CERTIFICATE_NAME, certificate.getMetadata().getName());
        annotations.put("cert-manager.io/issuer-name", issuer.getMetadata().getName());
        annotations.put("cert-manager.io/issuer-kind", issuer.getKind());
        annotations.put("cert-manager.io/issuer-group", GROUP);
        labels.put("controller.cert-manager.io/fao", "true");
        Map<String, String> data = base64(Map.of("tls.crt", certificatePem, "tls.key", pem("PRIVATE KEY", subject),
                "ca.crt", ca));
        try {
            if (existing.isEmpty()) {
                client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata()
                        .withName(secretName).withNamespace(namespace).withAnnotations(annotations).withLabels(labels)
                        .endMetadata().withType("kubernetes.io/tls").withData(data).build()).create();
            } else {
                Secret secret = objects.copy(existing.get(), Secret.class);
                Map<String, String> merged = new LinkedHashMap<>(Objects.requireNonNullElse(
                        secret.getMetadata().getAnnotations(), Map.of()));
                merged.putAll(annotations);
                secret.getMetadata().setAnnotations(merged);
                Map<String, String> mergedLabels = new LinkedHashMap<>(Objects.requireNonNullElse(
                        secret.getMetadata().getLabels(), Map.of()));
                mergedLabels.putAll(labels);
                secret.getMetadata().setLabels(mergedLabels);
                Map<String, String> mergedData = new LinkedHashMap<>(Objects.requireNonNullElse(secret.getData(),
                        Map.of()));
                mergedData.putAll(data);
                secret.setData(mergedData);
                client.secrets().inNamespace(namespace).resource(secret).update();
            }
            LOG.debug("cert-manager issued {}/{} into Secret {}", namespace, certificate.getMetadata().getName(),
                    secretName);
        } catch (KubernetesClientException e) {
            retries.failed("issuing " + namespace + "/" + certificate.getMetadata().getName(), e);
        }
    }

    // --- cainjector -------------------------------------------------------------------------------------------------

    private void injectCaBundles(ClusterObjects objects) {
        for (String kind : List.of(ClusterObjects.MUTATING_WEBHOOKS, ClusterObjects.VALIDATING_WEBHOOKS,
                ClusterObjects.API_SERVICE)) {
            for (GenericKubernetesResource target : objects.all(kind)) {
                caBundle(objects, annotations(target)).ifPresent(ca -> inject(kind, target, ca));
            }
        }
        for (ClusterObjects.CrdSummary crd : objects.crds()) {
            if (!crd.webhookConversion()) {
                continue;
            }
            caBundle(objects, crd.annotations()).filter(ca -> !ca.equals(crd.caBundle()))
                    .ifPresent(ca -> injectIntoCrd(crd.name(), ca));
        }
    }

    /** The base64 CA a target asks for, once its source has it. */
    private static Optional<String> caBundle(ClusterObjects objects, Map<String, String> annotations) {
        String fromCertificate = annotations.get(INJECT_FROM_CERTIFICATE);
        if (fromCertificate != null) {
            String[] name = fromCertificate.split("/", 2);
            if (name.length < 2) {
                return Optional.empty();
            }
            return objects.get(ClusterObjects.CERTIFICATE, name[0], name[1])
                    .map(c -> String.valueOf(map(c.getAdditionalProperties().get("spec")).get("secretName")))
                    .flatMap(secretName -> objects.get(ClusterObjects.SECRET, name[0], secretName))
                    .filter(secret -> name[1].equals(annotations(secret).get(CERTIFICATE_NAME)))
                    .flatMap(CertManager::encodedCa);
        }
        String fromSecret = annotations.get(INJECT_FROM_SECRET);
        if (fromSecret != null) {
            String[] name = fromSecret.split("/", 2);
            if (name.length < 2) {
                return Optional.empty();
            }
            return objects.get(ClusterObjects.SECRET, name[0], name[1])
                    .filter(secret -> "true".equals(annotations(secret).get(ALLOW_INJECTION)))
                    .flatMap(CertManager::encodedCa);
        }
        return Optional.empty();
    }

    private static Optional<String> encodedCa(GenericKubernetesResource secret) {
        return secret.getAdditionalProperties().get("data") instanceof Map<?, ?> data && data.get("ca.crt") != null
                ? Optional.of(String.valueOf(data.get("ca.crt"))) : Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private void inject(String kind, GenericKubernetesResource target, String ca) {
        boolean changed = false;
        GenericKubernetesResource copy = client.getKubernetesSerialization().clone(target);
        if (kind.equals(ClusterObjects.API_SERVICE)) {
            Map<String, Object> spec = (Map<String, Object>) copy.getAdditionalProperties().get("spec");
            if (spec != null && !ca.equals(spec.get("caBundle"))) {
                spec.put("caBundle", ca);
                changed = true;
            }
        } else if (copy.getAdditionalProperties().get("webhooks") instanceof List<?> webhooks) {
            for (Object webhook : webhooks) {
                if (webhook instanceof Map<?, ?> w && w.get("clientConfig") instanceof Map<?, ?> config
                        && !ca.equals(config.get("caBundle"))) {
                    ((Map<String, Object>) config).put("caBundle", ca);
                    changed = true;
                }
            }
        }
        if (changed) {
            try {
                client.resource(copy).update();
            } catch (KubernetesClientException e) {
                retries.failed("injecting a CA into " + target.getMetadata().getName(), e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void injectIntoCrd(String name, String ca) {
        try {
            var crds = client.genericKubernetesResources("apiextensions.k8s.io/v1", "CustomResourceDefinition");
            GenericKubernetesResource crd = crds.withName(name).get();
            if (crd == null) {
                return;
            }
            Map<String, Object> spec = (Map<String, Object>) crd.getAdditionalProperties().get("spec");
            Map<String, Object> conversion = (Map<String, Object>) spec.get("conversion");
            Map<String, Object> webhook = (Map<String, Object>) conversion.computeIfAbsent("webhook",
                    k -> new LinkedHashMap<>());
            Map<String, Object> config = (Map<String, Object>) webhook.computeIfAbsent("clientConfig",
                    k -> new LinkedHashMap<>());
            config.put("caBundle", ca);
            crds.resource(crd).update();
        } catch (KubernetesClientException e) {
            retries.failed("injecting a CA into CRD " + name, e);
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    /** Writes condition Ready (and, on a Certificate, the issued certificate's times) when it differs. */
    @SuppressWarnings("unchecked")
    private void setReady(GenericKubernetesResource object, String status, String reason, String message) {
        Map<String, Object> current = map(object.getAdditionalProperties().get("status"));
        Map<String, Object> previous = map(conditions(current).stream()
                .filter(c -> "Ready".equals(c.get("type"))).findFirst().orElse(null));
        if (status.equals(previous.get("status")) && reason.equals(previous.get("reason"))
                && message.equals(String.valueOf(previous.getOrDefault("message", "")))) {
            return;
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("lastTransitionTime", status.equals(previous.get("status"))
                ? previous.get("lastTransitionTime") : now);
        condition.put("message", message);
        condition.put("observedGeneration", object.getMetadata().getGeneration());
        condition.put("reason", reason);
        condition.put("status", status);
        condition.put("type", "Ready");
        Map<String, Object> updated = new LinkedHashMap<>(current);
        List<Map<String, Object>> conditions = new ArrayList<>(conditions(current));
        conditions.removeIf(c -> "Ready".equals(c.get("type")));
        conditions.add(condition);
        updated.put("conditions", conditions);
        if (object.getKind().equals("Certificate") && status.equals("True")) {
            Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            updated.put("notBefore", notBefore.toString());
            updated.put("notAfter", notBefore.plus(Duration.ofDays(90)).toString());
            updated.put("renewalTime", notBefore.plus(Duration.ofDays(60)).toString());
            updated.put("revision", ((Number) current.getOrDefault("revision", 0)).intValue() + 1);
        }
        GenericKubernetesResource copy = client.getKubernetesSerialization().clone(object);
        copy.getAdditionalProperties().put("status", updated);
        try {
            client.resource(copy).updateStatus();
        } catch (KubernetesClientException e) {
            retries.failed("the status of " + object.getKind() + " " + object.getMetadata().getName(), e);
        }
    }

    private static String readyStatus(GenericKubernetesResource object) {
        return conditions(map(object.getAdditionalProperties().get("status"))).stream()
                .filter(c -> "Ready".equals(c.get("type"))).map(c -> String.valueOf(c.get("status"))).findFirst()
                .orElse("Unknown");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> conditions(Map<String, Object> status) {
        List<Map<String, Object>> result = new ArrayList<>();
        if (status.get("conditions") instanceof List<?> list) {
            list.stream().filter(Map.class::isInstance).forEach(c -> result.add((Map<String, Object>) c));
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<String> strings(Object value) {
        List<String> result = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(item -> result.add(String.valueOf(item)));
        }
        return result;
    }

    private static Map<String, String> annotations(GenericKubernetesResource object) {
        return Objects.requireNonNullElse(object.getMetadata().getAnnotations(), Map.of());
    }

    private void create(Secret secret) {
        try {
            client.resource(secret).create();
        } catch (KubernetesClientException e) {
            retries.failed("creating Secret " + secret.getMetadata().getName(), e);
        }
    }

    private static String pem(String type, String content) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.UTF_8)).encodeToString(("simulated "
                + type.toLowerCase() + ": " + content).getBytes(StandardCharsets.UTF_8))
                + "\n-----END " + type + "-----\n";
    }

    private static Map<String, String> base64(Map<String, String> data) {
        Map<String, String> encoded = new LinkedHashMap<>();
        data.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(
                value.getBytes(StandardCharsets.UTF_8))));
        return encoded;
    }
}
