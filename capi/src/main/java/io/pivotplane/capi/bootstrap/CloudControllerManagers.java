package io.pivotplane.capi.bootstrap;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.AwsRenderer;
import io.pivotplane.capi.AzureRenderer;
import io.pivotplane.capi.Capi;
import io.pivotplane.capi.GcpRenderer;
import io.pivotplane.capi.MaasRenderer;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.RenderPhase;
import io.pivotplane.capi.Renderers;
import io.pivotplane.capi.UnsupportedInfrastructureException;
import io.pivotplane.capi.VSphereRenderer;
import io.pivotplane.capi.components.ClusterctlTemplate;
import io.pivotplane.capi.components.NamespacedName;
import io.pivotplane.events.model.ClusterSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The cloud-controller-manager of each cluster that pivotplane renders with {@code cloud-provider: external}: AWS,
 * Azure and vSphere. GCP runs the in-tree {@code gce} provider (see {@link GcpRenderer}) and MAAS none, CAPMAAS
 * setting the Nodes' provider ids itself: they have none.
 *
 * <p>The manifests are upstream's, taken by bin/build-provider-components (see the NOTICE beside them):
 * <ul>
 *   <li>AWS: CAPA v2.7.1's {@code templates/cluster-template.yaml}, ConfigMap {@code cloud-controller-manager-addon}.
 *   It has no variables; its image, {@code cloud-controller-manager:v1.28.3}, becomes the release of the cluster's
 *   Kubernetes minor (below). The credentials are the control-plane nodes' instance profile.</li>
 *   <li>vSphere: CAPV v1.12.0's {@code templates/cluster-template.yaml}, ConfigMap {@code cpi-manifests} (with the
 *   {@code cloud-config} ConfigMap holding {@code vsphere.conf}). Its variables: {@code VSPHERE_SERVER} and
 *   {@code VSPHERE_DATACENTER} from the request's parameters {@code server} and {@code datacenter},
 *   {@code VSPHERE_TLS_THUMBPRINT} from {@code thumbprint} (empty without one: the vCenter's certificate is then
 *   checked against the CPI's trusted CAs), {@code CPI_IMAGE_K8S_VERSION} the release of the cluster's minor. It reads
 *   the vCenter credentials from the Secret of the template's {@code cloud-provider-vsphere-credentials}, which
 *   {@link CloudControllerManager#credentialsSecret()} describes.</li>
 *   <li>Azure: cloud-provider-azure's chart, which CAPZ's documentation installs, rendered with the values of CAPZ's
 *   HelmChartProxy. Its variables: {@code CLUSTER_NAME} the cluster's name, {@code CLUSTER_CIDR} the pod CIDR blocks
 *   of the rendered Cluster joined by commas (as the HelmChartProxy joins them), {@code CLOUD_PROVIDER_AZURE_VERSION}
 *   the release of the cluster's minor. The credentials are in {@code /etc/kubernetes/azure.json}, which CAPZ writes
 *   on every node.</li>
 * </ul>
 * Images move to another repository as clusterctl's image overrides do: {@link CloudControllerManager#objects(Optional)}.
 */
public final class CloudControllerManagers {

    private static final String RESOURCES = "/io/pivotplane/capi/bootstrap/";
    /**
     * The cloud provider release each infrastructure runs for a Kubernetes minor. Kubernetes' version-skew policy
     * lets a cloud-controller-manager be at most one minor older than the API server, and the cloud providers release
     * per Kubernetes minor, so each cluster runs its own minor's latest patch (as of these files). CAPA's template pins
     * v1.28.3, too old for v1.30; the v1.30 release takes the same arguments, and CAPA's ClusterRole holds every rule
     * of cloud-provider-aws v1.30.10's own (examples/existing-cluster). A minor needs a line here before its clusters
     * get a cloud-controller-manager.
     */
    private static final Map<String, Map<String, String>> RELEASES = Map.of(
            "v1.30", Map.of(
                    AwsRenderer.PROVIDER, "v1.30.10",     // kubernetes/cloud-provider-aws
                    AzureRenderer.PROVIDER, "v1.30.18",   // kubernetes-sigs/cloud-provider-azure, the tag of its chart
                    VSphereRenderer.PROVIDER, "v1.30.2")); // kubernetes/cloud-provider-vsphere
    private static final String AWS_IMAGE = "registry.k8s.io/provider-aws/cloud-controller-manager";
    private static final String AWS_CONTAINER = "aws-cloud-controller-manager";
    /**
     * The keys of the cluster's vSphere identity Secret (VSphereCluster {@code identityRef} of kind Secret), which
     * CAPV's template fills from the same variables as the CPI's credentials: {@code username: "${VSPHERE_USERNAME}"},
     * {@code password: "${VSPHERE_PASSWORD}"}.
     */
    private static final Map<String, String> VSPHERE_IDENTITY_KEYS =
            Map.of("VSPHERE_USERNAME", "username", "VSPHERE_PASSWORD", "password");
    private static final Pattern KUBERNETES_MINOR = Pattern.compile("(v\\d+\\.\\d+)\\.\\d+.*");
    /** Service accounts, RBAC and configuration before the workloads that use them; otherwise the file's order. */
    private static final List<Set<String>> APPLY_ORDER = List.of(Set.of("ServiceAccount"),
            Set.of("ClusterRole", "Role"), Set.of("ClusterRoleBinding", "RoleBinding"), Set.of("ConfigMap", "Secret"));

    private static final Map<String, ClusterctlTemplate> TEMPLATES = new ConcurrentHashMap<>();

    private CloudControllerManagers() {
    }

    /**
     * The cloud-controller-manager of the cluster, empty for GCP and MAAS.
     *
     * @throws UnsupportedInfrastructureException for an infrastructure pivotplane does not render
     * @throws IllegalArgumentException for a Kubernetes minor without a release in the table above
     */
    public static Optional<CloudControllerManager> forCluster(ClusterSpec spec) {
        String provider = spec.infrastructure().provider();
        return switch (provider) {
            case AwsRenderer.PROVIDER -> Optional.of(aws(spec));
            case AzureRenderer.PROVIDER -> Optional.of(azure(spec));
            case VSphereRenderer.PROVIDER -> Optional.of(vsphere(spec));
            case GcpRenderer.PROVIDER, MaasRenderer.PROVIDER -> Optional.empty();
            default -> throw new UnsupportedInfrastructureException(provider);
        };
    }

    /** The Kubernetes minors whose clusters get a cloud-controller-manager, e.g. {@code v1.30}. */
    public static Set<String> kubernetesMinors() {
        return Set.copyOf(RELEASES.keySet());
    }

    private static CloudControllerManager aws(ClusterSpec spec) {
        String release = release(spec);
        List<GenericKubernetesResource> objects = template("aws-cloud-controller-manager.yaml").render(Map.of());
        int moved = 0;
        for (GenericKubernetesResource object : objects) {
            if ("DaemonSet".equals(object.getKind())) {
                for (Map<String, Object> container : containers(object)) {
                    String image = String.valueOf(container.get("image"));
                    if (AWS_CONTAINER.equals(container.get("name")) && image.startsWith(AWS_IMAGE + ":")) {
                        container.put("image", AWS_IMAGE + ":" + release);
                        moved++;
                    }
                }
            }
        }
        if (moved != 1) {
            throw new IllegalStateException("CAPA's manifests have " + moved + " containers " + AWS_CONTAINER
                    + " of " + AWS_IMAGE);
        }
        return new CloudControllerManager(AwsRenderer.PROVIDER, release, ordered(objects), Optional.empty());
    }

    private static CloudControllerManager vsphere(ClusterSpec spec) {
        String release = release(spec);
        Map<String, String> parameters = spec.infrastructure().parameters();
        String server = parameters.get("server");
        Map<String, String> values = new LinkedHashMap<>();
        values.put("VSPHERE_SERVER", server);
        values.put("VSPHERE_DATACENTER", parameters.get("datacenter"));
        values.put("VSPHERE_TLS_THUMBPRINT", parameters.getOrDefault("thumbprint", ""));
        values.put("CPI_IMAGE_K8S_VERSION", release);
        List<GenericKubernetesResource> objects = template("vsphere-cloud-controller-manager.yaml").render(values);
        return new CloudControllerManager(VSphereRenderer.PROVIDER, release, ordered(objects),
                Optional.of(vsphereCredentials(spec, server)));
    }

    /**
     * The template's Secret with each credential variable standing for itself: its keys are named after the server,
     * and each value tells which key of the identity Secret fills it.
     */
    private static CredentialsSecret vsphereCredentials(ClusterSpec spec, String server) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("VSPHERE_SERVER", server);
        VSPHERE_IDENTITY_KEYS.keySet().forEach(variable -> values.put(variable, "${" + variable + "}"));
        GenericKubernetesResource secret = template("vsphere-cloud-provider-credentials.yaml").render(values).get(0);
        Map<String, String> keys = new LinkedHashMap<>();
        Map<?, ?> stringData = (Map<?, ?>) ObjectMaps.at(secret, "stringData").orElseThrow(
                () -> new IllegalStateException("CAPV's cloud-provider-vsphere-credentials has no stringData"));
        stringData.forEach((key, value) -> {
            String variable = String.valueOf(value).replaceAll("^\\$\\{(.*)}$", "$1");
            String sourceKey = VSPHERE_IDENTITY_KEYS.get(variable);
            if (sourceKey == null) {
                throw new IllegalStateException("CAPV's cloud-provider-vsphere-credentials takes " + value);
            }
            keys.put(String.valueOf(key), sourceKey);
        });
        return new CredentialsSecret(
                new NamespacedName(secret.getMetadata().getNamespace(), secret.getMetadata().getName()),
                ObjectMaps.string(secret, "type").orElse("Opaque"),
                secret.getMetadata().getLabels(),
                new NamespacedName(spec.project(), spec.infrastructure().credentialsRef()),
                keys);
    }

    private static CloudControllerManager azure(ClusterSpec spec) {
        String release = release(spec);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("CLUSTER_NAME", spec.name());
        values.put("CLUSTER_CIDR", String.join(",", podCidrBlocks(spec)));
        values.put("CLOUD_PROVIDER_AZURE_VERSION", release);
        List<GenericKubernetesResource> objects = template("azure-cloud-provider.yaml").render(values);
        return new CloudControllerManager(AzureRenderer.PROVIDER, release, ordered(objects), Optional.empty());
    }

    /** The pod CIDR blocks of the Cluster pivotplane renders for the request (its {@code clusterNetwork.pods}). */
    private static List<String> podCidrBlocks(ClusterSpec spec) {
        GenericKubernetesResource cluster = Renderers.forProvider(spec.infrastructure().provider())
                .render("", spec, RenderPhase.MANAGEMENT).stream()
                .filter(o -> Capi.CLUSTER.equals(o.getKind())).findFirst().orElseThrow();
        return ObjectMaps.at(cluster, "spec", "clusterNetwork", "pods", "cidrBlocks")
                .filter(List.class::isInstance).map(blocks -> ((List<?>) blocks).stream().map(String::valueOf).toList())
                .filter(blocks -> !blocks.isEmpty())
                .orElseThrow(() -> new IllegalStateException("the Cluster of " + spec.name() + " has no pod CIDR"));
    }

    private static String release(ClusterSpec spec) {
        Matcher minor = KUBERNETES_MINOR.matcher(spec.kubernetesVersion());
        Map<String, String> releases = minor.matches() ? RELEASES.get(minor.group(1)) : null;
        if (releases == null) {
            throw new IllegalArgumentException("no cloud-controller-manager release is known for Kubernetes "
                    + spec.kubernetesVersion() + "; known minors: " + RELEASES.keySet().stream().sorted()
                    .collect(Collectors.joining(", ")));
        }
        return releases.get(spec.infrastructure().provider());
    }

    private static List<GenericKubernetesResource> ordered(List<GenericKubernetesResource> objects) {
        List<GenericKubernetesResource> sorted = new ArrayList<>(objects);
        sorted.sort(Comparator.comparingInt(CloudControllerManagers::applyRank));
        return sorted;
    }

    private static int applyRank(GenericKubernetesResource object) {
        for (int rank = 0; rank < APPLY_ORDER.size(); rank++) {
            if (APPLY_ORDER.get(rank).contains(object.getKind())) {
                return rank;
            }
        }
        return APPLY_ORDER.size();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> containers(GenericKubernetesResource workload) {
        return ObjectMaps.at(workload, "spec", "template", "spec", "containers").filter(List.class::isInstance)
                .map(list -> ((List<Object>) list).stream().filter(Map.class::isInstance)
                        .map(c -> (Map<String, Object>) c).toList())
                .orElse(List.of());
    }

    private static ClusterctlTemplate template(String file) {
        return TEMPLATES.computeIfAbsent(file, name -> ClusterctlTemplate.parse(name, resourceText(RESOURCES + name)));
    }

    private static String resourceText(String resource) {
        try (InputStream in = CloudControllerManagers.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
