package io.pivotplane.capi.components;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.UnsupportedInfrastructureException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What {@code clusterctl init} (v1.9.11) installs, one component at a time: cert-manager, the core provider, the
 * kubeadm bootstrap and control-plane providers and an infrastructure provider, at the versions pivotplane targets,
 * from the YAML that bin/build-provider-components builds from upstream (see the NOTICE beside the files), or from
 * an operator's override directory. {@link #render} turns a component into the objects clusterctl would create, in
 * its order; nothing here talks to a cluster.
 *
 * <p>Where clusterctl decides something, the comment names its file (all under {@code cmd/clusterctl/} of
 * cluster-api v1.9.11). clusterctl passes some kinds through Go's typed structs on the way, which adds empty fields
 * such as {@code creationTimestamp: null}; those change nothing on a server and are not reproduced.
 */
public final class ProviderComponents {

    static final String RESOURCE_DIRECTORY = "/io/pivotplane/capi/components/";

    // api/v1alpha3/labels.go and annotations.go
    public static final String CLUSTERCTL_LABEL = "clusterctl.cluster.x-k8s.io";
    public static final String CLUSTERCTL_CORE_LABEL = "clusterctl.cluster.x-k8s.io/core";
    public static final String PROVIDER_LABEL = "cluster.x-k8s.io/provider";
    public static final String CERT_MANAGER_VERSION_ANNOTATION = "cert-manager.clusterctl.cluster.x-k8s.io/version";
    public static final String INVENTORY_API_VERSION = "clusterctl.cluster.x-k8s.io/v1alpha3";
    public static final String INVENTORY_KIND = "Provider";

    private static final String CAPI_VERSION = "v1.9.11";
    private static final String INVENTORY_CRD_FILE = "clusterctl-api-" + CAPI_VERSION + ".yaml";

    /**
     * client/repository/components.go, fixTargetNamespace, through internal/util/objs.go, IsResourceNamespaced: the
     * kinds clusterctl takes for cluster-wide; every other kind gets the provider's namespace.
     */
    private static final Set<String> CLUSTER_WIDE_KINDS = Set.of("Namespace", "Node", "PersistentVolume",
            "PodSecurityPolicy", "CertificateSigningRequest", "ClusterRoleBinding", "ClusterRole", "VolumeAttachment",
            "StorageClass", "CSIDriver", "CSINode", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
            "CustomResourceDefinition", "PriorityClass", "RuntimeClass");
    /** util/resource/resource.go, SortForCreate: clusterctl's order for cert-manager's objects; other kinds are 0. */
    private static final Map<String, Integer> CREATE_ORDER = Map.ofEntries(Map.entry("Namespace", -100),
            Map.entry("CustomResourceDefinition", -99), Map.entry("StorageClass", -98),
            Map.entry("PersistentVolume", -97), Map.entry("PersistentVolumeClaim", -96), Map.entry("Secret", -95),
            Map.entry("ConfigMap", -94), Map.entry("ServiceAccount", -93), Map.entry("LimitRange", -92),
            Map.entry("Pod", -91), Map.entry("ReplicaSet", -90), Map.entry("Endpoint", -89));

    private static final Map<String, Bundle> BUNDLED = new ConcurrentHashMap<>();
    private static volatile List<GenericKubernetesResource> inventoryCrd;

    /** The components clusterctl knows, as its client/config/providers_client.go names them. */
    private enum Definition {
        CERT_MANAGER("cert-manager", "cert-manager", null, "v1.16.3", "cert-manager.yaml", List.of()),
        CORE("cluster-api", "cluster-api", "CoreProvider", CAPI_VERSION, "core-components.yaml", List.of()),
        KUBEADM_BOOTSTRAP("bootstrap-kubeadm", "kubeadm", "BootstrapProvider", CAPI_VERSION,
                "bootstrap-components.yaml", List.of()),
        KUBEADM_CONTROL_PLANE("control-plane-kubeadm", "kubeadm", "ControlPlaneProvider", CAPI_VERSION,
                "control-plane-components.yaml", List.of()),
        // each provider's config/default credentials.yaml, named by its kustomization's namePrefix
        AWS("infrastructure-aws", "aws", "InfrastructureProvider", "v2.7.1", "infrastructure-components.yaml",
                List.of("capa-manager-bootstrap-credentials")),
        GCP("infrastructure-gcp", "gcp", "InfrastructureProvider", "v1.8.1", "infrastructure-components.yaml",
                List.of("capg-manager-bootstrap-credentials")),
        // its one variable has a default (CAPZ takes credentials from AzureClusterIdentities), but the manager's
        // Deployment reads the subscription from it: a target cluster needs it like the others' credentials
        AZURE("infrastructure-azure", "azure", "InfrastructureProvider", "v1.18.1", "infrastructure-components.yaml",
                List.of("capz-manager-bootstrap-credentials")),
        VSPHERE("infrastructure-vsphere", "vsphere", "InfrastructureProvider", "v1.12.0",
                "infrastructure-components.yaml", List.of("capv-manager-bootstrap-credentials")),
        MAAS("infrastructure-maas", "maas", "InfrastructureProvider", "v0.6.0", "infrastructure-components.yaml",
                List.of("capmaas-manager-bootstrap-credentials"));

        final String manifestLabel;
        final String providerName;
        final String type;
        final String version;
        /** The name of the file a release publishes, which is also its name in an override directory. */
        final String releaseFile;
        final List<String> credentialSecrets;

        Definition(String manifestLabel, String providerName, String type, String version, String releaseFile,
                   List<String> credentialSecrets) {
            this.manifestLabel = manifestLabel;
            this.providerName = providerName;
            this.type = type;
            this.version = version;
            this.releaseFile = releaseFile;
            this.credentialSecrets = credentialSecrets;
        }

        String bundledResource() {
            return RESOURCE_DIRECTORY + manifestLabel + "-" + version + ".yaml";
        }

        boolean isCertManager() {
            return type == null;
        }

        static Definition infrastructure(String provider) {
            return Stream.of(values())
                    .filter(d -> "InfrastructureProvider".equals(d.type) && d.providerName.equals(provider))
                    .findFirst().orElseThrow(() -> new UnsupportedInfrastructureException(provider));
        }
    }

    /**
     * Where components are read from: the bundled files, or an override directory laid out as clusterctl's
     * ({@code client/repository/overrides.go}: {@code <directory>/<provider label>/<version>/<release file>}, e.g.
     * {@code infrastructure-azure/v1.18.1/infrastructure-components.yaml} or {@code cert-manager/v1.16.3/cert-manager.yaml}),
     * where a missing file falls back to the bundled one. This is how an operator supplies a provider's real release
     * file (CAPZ with Azure Service Operator) or a patched one.
     */
    public static final class Source {

        private static final Source BUNDLED_ONLY = new Source(null);

        private final Path directory;

        private Source(Path directory) {
            this.directory = directory;
        }

        public static Source bundled() {
            return BUNDLED_ONLY;
        }

        public static Source directory(Path directory) {
            return new Source(Objects.requireNonNull(directory, "directory"));
        }

        public ProviderComponents certManager() {
            return of(Definition.CERT_MANAGER);
        }

        public ProviderComponents core() {
            return of(Definition.CORE);
        }

        public ProviderComponents kubeadmBootstrap() {
            return of(Definition.KUBEADM_BOOTSTRAP);
        }

        public ProviderComponents kubeadmControlPlane() {
            return of(Definition.KUBEADM_CONTROL_PLANE);
        }

        /** @throws UnsupportedInfrastructureException for an id other than those of {@code request.Provider} */
        public ProviderComponents infrastructure(String provider) {
            return of(Definition.infrastructure(provider));
        }

        /**
         * clusterctl init's order (client/init.go): cert-manager first, then the providers by type, core, bootstrap,
         * control plane, infrastructure (client/cluster/installer.go, Add).
         */
        public List<ProviderComponents> forInfrastructure(String provider) {
            return List.of(certManager(), core(), kubeadmBootstrap(), kubeadmControlPlane(), infrastructure(provider));
        }

        public List<ProviderComponents> all() {
            return Stream.of(Definition.values()).map(this::of).toList();
        }

        private ProviderComponents of(Definition definition) {
            if (directory != null) {
                Path file = directory.resolve(definition.manifestLabel).resolve(definition.version)
                        .resolve(definition.releaseFile);
                if (Files.isRegularFile(file)) {
                    return new ProviderComponents(definition, file);
                }
            }
            return new ProviderComponents(definition, null);
        }
    }

    private final Definition definition;
    private final Path overrideFile;
    private volatile Bundle overrideBundle;

    private ProviderComponents(Definition definition, Path overrideFile) {
        this.definition = definition;
        this.overrideFile = overrideFile;
    }

    public static ProviderComponents certManager() {
        return Source.bundled().certManager();
    }

    public static ProviderComponents core() {
        return Source.bundled().core();
    }

    public static ProviderComponents kubeadmBootstrap() {
        return Source.bundled().kubeadmBootstrap();
    }

    public static ProviderComponents kubeadmControlPlane() {
        return Source.bundled().kubeadmControlPlane();
    }

    /**
     * @param provider an id of {@code io.pivotplane.capi.request.Provider}: aws, gcp, azure, vsphere, maas
     * @throws UnsupportedInfrastructureException for another
     */
    public static ProviderComponents infrastructure(String provider) {
        return Source.bundled().infrastructure(provider);
    }

    /** clusterctl init's order for one cluster: cert-manager, core, bootstrap, control plane, its infrastructure. */
    public static List<ProviderComponents> forInfrastructure(String provider) {
        return Source.bundled().forInfrastructure(provider);
    }

    /** Every bundled component: what a management cluster serving all five infrastructures runs. */
    public static List<ProviderComponents> all() {
        return Source.bundled().all();
    }

    /**
     * The objects of clusterctl's inventory CRD (providers.clusterctl.cluster.x-k8s.io), applied before any provider,
     * with the label clusterctl adds (client/cluster/inventory.go, createObj).
     */
    public static List<GenericKubernetesResource> inventoryCustomResourceDefinition() {
        if (inventoryCrd == null) {
            inventoryCrd = Bundle.parse(resourceText(RESOURCE_DIRECTORY + INVENTORY_CRD_FILE));
        }
        List<GenericKubernetesResource> objects = Bundle.copies(inventoryCrd);
        for (GenericKubernetesResource object : objects) {
            labels(object).put(CLUSTERCTL_CORE_LABEL, "inventory");
        }
        return objects;
    }

    /** clusterctl's {@code cluster.x-k8s.io/provider} value (api/v1alpha3/labels.go, ManifestLabel). */
    public String manifestLabel() {
        return definition.manifestLabel;
    }

    public String providerName() {
        return definition.providerName;
    }

    /** api/v1alpha3/provider_type.go's ProviderType; empty for cert-manager, which is no provider. */
    public Optional<String> providerType() {
        return Optional.ofNullable(definition.type);
    }

    public String version() {
        return definition.version;
    }

    /**
     * Where its controllers run: the one Namespace of its file (client/repository/components.go,
     * inspectTargetNamespace: the namespace clusterctl installs into unless told another).
     */
    public String namespace() {
        List<String> namespaces = bundle().documents().stream().flatMap(d -> d.probe().stream())
                .filter(o -> "Namespace".equals(o.getKind())).map(o -> o.getMetadata().getName()).toList();
        if (namespaces.size() != 1) {
            throw new IllegalStateException(origin() + " must have exactly one Namespace, not " + namespaces);
        }
        return namespaces.get(0);
    }

    /**
     * The controller Deployments that must be available for the component to work: a provider's Deployments with a
     * container named {@code manager}, the ones clusterctl waits for (client/cluster/installer.go,
     * waitManagerDeploymentsReady; internal/util/objs.go, IsDeploymentWithManager); all three of cert-manager's,
     * whose API clusterctl tests by creating an Issuer and a Certificate, which needs each of them.
     */
    public List<NamespacedName> deployments() {
        String namespace = namespace();
        return bundle().documents().stream().flatMap(d -> d.probe().stream())
                .filter(o -> "Deployment".equals(o.getKind()))
                .filter(o -> definition.isCertManager() || containerNames(o).contains("manager"))
                .map(o -> new NamespacedName(definition.isCertManager() ? o.getMetadata().getNamespace() : namespace,
                        o.getMetadata().getName()))
                .toList();
    }

    /**
     * The Secrets that hold the operator's credentials for the provider's controller (its
     * {@code manager-bootstrap-credentials}, filled from clusterctl variables without a default): what a cluster
     * that already runs the provider has, and a caller can copy instead of supplying the variables.
     */
    public List<NamespacedName> credentialSecrets() {
        if (definition.credentialSecrets.isEmpty()) {
            return List.of();
        }
        String namespace = namespace();
        return definition.credentialSecrets.stream().map(name -> new NamespacedName(namespace, name)).toList();
    }

    /**
     * The variables of the component's YAML, each with its default ({@code Optional.empty()} for none), as clusterctl
     * lists them (client/yamlprocessor/simple_processor.go, GetVariableMap); none for cert-manager.
     */
    public Map<String, Optional<String>> variables(boolean includeCredentialSecrets) {
        Map<String, Optional<String>> variables = new LinkedHashMap<>();
        declaredVariables(includeCredentialSecrets)
                .forEach((name, defaultText) -> variables.put(name, Optional.of(defaultText).filter(d -> !d.isEmpty())));
        return variables;
    }

    /** The file this component is read from: the bundled resource or an override file. */
    public String origin() {
        return overrideFile != null ? overrideFile.toString() : "classpath:" + definition.bundledResource();
    }

    /**
     * The objects to apply, in the order clusterctl applies them, as clusterctl makes them from the file:
     * <ul>
     *   <li>providers (client/repository/components.go, NewComponents): variables substituted as its simple processor
     *   does ({@code ${VAR}}, {@code ${VAR:=default}}, {@code ${VAR=default}}…); every namespaced object in the
     *   provider's namespace, and references to that namespace fixed (fixTargetNamespace); the labels
     *   {@code clusterctl.cluster.x-k8s.io: ""} and {@code cluster.x-k8s.io/provider: <manifest label>} on every object;
     *   the Namespace first, cert-manager's objects next, the rest in the file's order; last the inventory
     *   {@code Provider} (client/cluster/installer.go, installComponentsAndUpdateInventory);</li>
     *   <li>cert-manager (client/cluster/cert_manager.go, getManifestObjs and install): no variable processing; the
     *   labels {@code clusterctl.cluster.x-k8s.io: ""} and {@code clusterctl.cluster.x-k8s.io/core: cert-manager}, the
     *   annotation {@code cert-manager.clusterctl.cluster.x-k8s.io/version: v1.16.3}; ordered as
     *   util/resource/resource.go, SortForCreate orders them.</li>
     * </ul>
     * A fresh copy each time: the caller may change it.
     *
     * @param variables values of clusterctl variables; a key that is present counts as set, even to {@code ""}
     * @param imageRepository moves every image to this repository, as clusterctl's {@code images: all: repository:}
     * @param includeCredentialSecrets false leaves out {@link #credentialSecrets()}, and their variables are not
     *     needed: the caller copies those Secrets from a cluster that already runs the provider
     * @throws MissingVariablesException naming every variable that has neither a value nor a default
     */
    public List<GenericKubernetesResource> render(Map<String, String> variables, Optional<String> imageRepository,
                                                  boolean includeCredentialSecrets) {
        Objects.requireNonNull(variables, "variables");
        Objects.requireNonNull(imageRepository, "imageRepository");
        return definition.isCertManager()
                ? renderCertManager(imageRepository)
                : renderProvider(variables, imageRepository, includeCredentialSecrets);
    }

    private List<GenericKubernetesResource> renderProvider(Map<String, String> variables,
                                                           Optional<String> imageRepository,
                                                           boolean includeCredentialSecrets) {
        List<Bundle.Document> documents = documents(includeCredentialSecrets);
        // client/yamlprocessor/simple_processor.go, Process: every variable without value and default is an error
        Set<String> missing = new TreeSet<>();
        declaredVariables(documents).forEach((name, defaultText) -> {
            if (variables.get(name) == null && defaultText.isEmpty()) {
                missing.add(name);
            }
        });
        if (!missing.isEmpty()) {
            throw new MissingVariablesException(manifestLabel(), List.copyOf(missing));
        }
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (Bundle.Document document : documents) {
            objects.addAll(document.objects(name -> Objects.requireNonNullElse(variables.get(name), "")));
        }
        imageRepository.ifPresent(repository -> Images.moveTo(objects, repository));
        String namespace = namespace();
        for (GenericKubernetesResource object : objects) {
            fixTargetNamespace(object, namespace);
            Map<String, String> labels = labels(object);
            labels.put(CLUSTERCTL_LABEL, "");
            labels.put(PROVIDER_LABEL, manifestLabel());
        }
        objects.sort(Comparator.comparingInt(ProviderComponents::providerApplyRank));
        objects.add(inventoryObject(namespace));
        return objects;
    }

    private List<GenericKubernetesResource> renderCertManager(Optional<String> imageRepository) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (Bundle.Document document : bundle().documents()) {
            objects.addAll(Bundle.copies(document.fixed()));
        }
        imageRepository.ifPresent(repository -> Images.moveTo(objects, repository));
        for (GenericKubernetesResource object : objects) {
            Map<String, String> labels = labels(object);
            labels.put(CLUSTERCTL_LABEL, "");
            labels.put(CLUSTERCTL_CORE_LABEL, "cert-manager");
            annotations(object).put(CERT_MANAGER_VERSION_ANNOTATION, version());
        }
        objects.sort(Comparator.comparingInt(o -> CREATE_ORDER.getOrDefault(o.getKind(), 0)));
        return objects;
    }

    /**
     * client/repository/components.go sorts the Namespace first and cert-manager's objects next, so that the CA
     * injector sees the Certificate before the webhooks and CRDs that need its CA. Its comparison calls two
     * cert-manager objects each less than the other, so Go's stable sort leaves them in an order of its algorithm's
     * making: for every file bundled here the Issuer ends up before the Certificate, the order of their dependency,
     * which this keeps for any file.
     */
    private static int providerApplyRank(GenericKubernetesResource object) {
        if ("Namespace".equals(object.getKind())) {
            return 0;
        }
        if (object.getApiVersion() != null && object.getApiVersion().startsWith("cert-manager.io/")) {
            return object.getKind().endsWith("Issuer") ? 1 : 2;
        }
        return 3;
    }

    /** client/repository/components.go, InventoryObject, with api/v1alpha3/provider_type.go's fields. */
    private GenericKubernetesResource inventoryObject(String namespace) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(CLUSTERCTL_LABEL, "");
        labels.put(PROVIDER_LABEL, manifestLabel());
        labels.put(CLUSTERCTL_CORE_LABEL, "inventory");
        GenericKubernetesResource provider = new GenericKubernetesResource();
        provider.setApiVersion(INVENTORY_API_VERSION);
        provider.setKind(INVENTORY_KIND);
        provider.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(manifestLabel())
                .withLabels(labels).build());
        provider.setAdditionalProperty("providerName", providerName());
        provider.setAdditionalProperty("type", definition.type);
        provider.setAdditionalProperty("version", version());
        return provider;
    }

    /**
     * client/repository/components.go, fixTargetNamespace: namespaced objects into the provider's namespace, and the
     * references clusterctl rewrites to it: subjects of (Cluster)RoleBindings, webhook and CRD conversion services,
     * {@code cert-manager.io/inject-ca-from}, and the namespace inside a Certificate's DNS names.
     */
    @SuppressWarnings("unchecked")
    private static void fixTargetNamespace(GenericKubernetesResource object, String namespace) {
        String kind = object.getKind();
        ObjectMeta metadata = object.getMetadata();
        if ("Namespace".equals(kind)) {
            metadata.setName(namespace);
        }
        String originalNamespace = metadata.getNamespace();
        if (!CLUSTER_WIDE_KINDS.contains(kind)) {
            metadata.setNamespace(namespace);
        }
        switch (kind) {
            case "ClusterRoleBinding", "RoleBinding" -> ObjectMaps.at(object, "subjects")
                    .filter(List.class::isInstance)
                    .ifPresent(subjects -> ((List<Object>) subjects).stream().filter(Map.class::isInstance)
                            .map(s -> (Map<String, Object>) s)
                            .filter(s -> s.get("namespace") instanceof String n && !n.isEmpty())
                            .forEach(s -> s.put("namespace", namespace)));
            case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "CustomResourceDefinition" -> {
                fixInjectCaFrom(object, namespace);
                if (kind.equals("CustomResourceDefinition")) {
                    fixServiceNamespace(ObjectMaps.at(object, "spec", "conversion", "webhook", "clientConfig", "service"),
                            namespace);
                    fixServiceNamespace(ObjectMaps.at(object, "spec", "conversion", "webhookClientConfig", "service"),
                            namespace);
                } else {
                    ObjectMaps.at(object, "webhooks").filter(List.class::isInstance).ifPresent(webhooks ->
                            ((List<Object>) webhooks).stream().filter(Map.class::isInstance)
                                    .forEach(w -> fixServiceNamespace(Optional.ofNullable(
                                            ((Map<String, Object>) w).get("clientConfig"))
                                            .filter(Map.class::isInstance)
                                            .map(c -> ((Map<String, Object>) c).get("service")), namespace)));
                }
            }
            case "Certificate" -> ObjectMaps.at(object, "spec", "dnsNames").filter(List.class::isInstance)
                    .ifPresent(names -> ((List<Object>) names).replaceAll(name -> name instanceof String dns
                            ? dns.replaceFirst(java.util.regex.Pattern.quote("." + Objects.requireNonNullElse(originalNamespace, "") + "."),
                            java.util.regex.Matcher.quoteReplacement("." + namespace + "."))
                            : name));
            default -> {
            }
        }
    }

    private static void fixInjectCaFrom(GenericKubernetesResource object, String namespace) {
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get("cert-manager.io/inject-ca-from");
        if (value == null) {
            return;
        }
        String[] parts = value.split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException(object.getKind() + " " + object.getMetadata().getName()
                    + " does not have a correct value for cert-manager.io/inject-ca-from");
        }
        annotations.put("cert-manager.io/inject-ca-from", namespace + "/" + parts[1]);
    }

    @SuppressWarnings("unchecked")
    private static void fixServiceNamespace(Optional<Object> service, String namespace) {
        service.filter(Map.class::isInstance).ifPresent(s -> ((Map<String, Object>) s).put("namespace", namespace));
    }

    private List<Bundle.Document> documents(boolean includeCredentialSecrets) {
        List<Bundle.Document> documents = bundle().documents();
        if (includeCredentialSecrets || definition.credentialSecrets.isEmpty()) {
            return documents;
        }
        Set<NamespacedName> secrets = Set.copyOf(credentialSecrets());
        String namespace = namespace();
        return documents.stream().filter(d -> d.probe().stream().noneMatch(o -> "Secret".equals(o.getKind())
                && secrets.contains(new NamespacedName(Objects.requireNonNullElse(o.getMetadata().getNamespace(),
                namespace), o.getMetadata().getName())))).toList();
    }

    private Map<String, String> declaredVariables(boolean includeCredentialSecrets) {
        return definition.isCertManager() ? Map.of() : declaredVariables(documents(includeCredentialSecrets));
    }

    /** Each variable with its default text ({@code ""} for none); the first appearance in the file decides. */
    private static Map<String, String> declaredVariables(List<Bundle.Document> documents) {
        Map<String, String> variables = new LinkedHashMap<>();
        for (Bundle.Document document : documents) {
            if (document.hasSubstitutions()) {
                document.template().variables().forEach(variables::putIfAbsent);
            }
        }
        return variables;
    }

    Bundle bundle() {
        if (overrideFile == null) {
            return BUNDLED.computeIfAbsent(definition.bundledResource(), resource -> Bundle.read("classpath:" + resource,
                    resourceText(resource), !definition.isCertManager()));
        }
        Bundle bundle = overrideBundle;
        if (bundle == null) {
            try {
                bundle = Bundle.read(overrideFile.toString(), Files.readString(overrideFile), !definition.isCertManager());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + overrideFile, e);
            }
            overrideBundle = bundle;
        }
        return bundle;
    }

    private static String resourceText(String resource) {
        try (InputStream in = ProviderComponents.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> containerNames(GenericKubernetesResource deployment) {
        return ObjectMaps.at(deployment, "spec", "template", "spec", "containers").filter(List.class::isInstance)
                .map(containers -> ((List<Object>) containers).stream().filter(Map.class::isInstance)
                        .map(c -> String.valueOf(((Map<String, Object>) c).get("name"))).toList())
                .orElse(List.of());
    }

    private static Map<String, String> labels(GenericKubernetesResource object) {
        ObjectMeta metadata = metadata(object);
        if (metadata.getLabels() == null) {
            metadata.setLabels(new LinkedHashMap<>());
        }
        return metadata.getLabels();
    }

    private static Map<String, String> annotations(GenericKubernetesResource object) {
        ObjectMeta metadata = metadata(object);
        if (metadata.getAnnotations() == null) {
            metadata.setAnnotations(new LinkedHashMap<>());
        }
        return metadata.getAnnotations();
    }

    private static ObjectMeta metadata(GenericKubernetesResource object) {
        if (object.getMetadata() == null) {
            object.setMetadata(new ObjectMeta());
        }
        return object.getMetadata();
    }

    @Override
    public String toString() {
        return manifestLabel() + " " + version() + " (" + origin() + ")";
    }
}
