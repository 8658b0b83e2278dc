package io.pivotplane.devstack.infra;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resources one Kubernetes API server serves: the built-in ones of Kubernetes 1.31, which every server has from
 * the start, and those of the CustomResourceDefinitions created in it, from the moment they are established until
 * they are deleted. A request for anything else is answered 404, as a real server answers it.
 */
final class ApiResources {

    /** How the API server treats an object's {@code status}. */
    enum Status {
        /** No status subresource: the object is written whole. */
        NONE,
        /** Status is written through {@code /status} only: dropped on create, kept on updates of the object. */
        SUBRESOURCE,
        /**
         * As {@link #SUBRESOURCE}, but a created object keeps the status it is created with: a Node's is the kubelet's,
         * a Namespace's the server's own ({@code Active}).
         */
        SUBRESOURCE_KEPT_ON_CREATE
    }

    /** One resource of one group version. */
    record Resource(String group, String version, String plural, String singular, String kind, boolean namespaced,
                    Status status) {

        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    /**
     * The built-in resources of Kubernetes 1.31 that the local stack can meet, as {@code kube-apiserver} lists them in
     * discovery: group/version, plural, kind, scope, and whether status is a subresource (from each kind's registry
     * strategy).
     */
    private static final List<Resource> BUILT_IN = table("""
            v1                                  bindings                        Binding                         ns
            v1                                  componentstatuses               ComponentStatus                 cluster
            v1                                  configmaps                      ConfigMap                       ns
            v1                                  endpoints                       Endpoints                       ns
            v1                                  events                          Event                           ns
            v1                                  limitranges                     LimitRange                      ns
            v1                                  namespaces                      Namespace                       cluster status-kept-on-create
            v1                                  nodes                           Node                            cluster status-kept-on-create
            v1                                  persistentvolumeclaims          PersistentVolumeClaim           ns status
            v1                                  persistentvolumes               PersistentVolume                cluster status
            v1                                  pods                            Pod                             ns status
            v1                                  podtemplates                    PodTemplate                     ns
            v1                                  replicationcontrollers          ReplicationController           ns status
            v1                                  resourcequotas                  ResourceQuota                   ns status
            v1                                  secrets                         Secret                          ns
            v1                                  serviceaccounts                 ServiceAccount                  ns
            v1                                  services                        Service                         ns status
            admissionregistration.k8s.io/v1     mutatingwebhookconfigurations   MutatingWebhookConfiguration    cluster
            admissionregistration.k8s.io/v1     validatingwebhookconfigurations ValidatingWebhookConfiguration  cluster
            admissionregistration.k8s.io/v1     validatingadmissionpolicies     ValidatingAdmissionPolicy       cluster status
            admissionregistration.k8s.io/v1     validatingadmissionpolicybindings ValidatingAdmissionPolicyBinding cluster
            apiextensions.k8s.io/v1             customresourcedefinitions       CustomResourceDefinition        cluster status
            apiregistration.k8s.io/v1           apiservices                     APIService                      cluster status
            apps/v1                             controllerrevisions             ControllerRevision              ns
            apps/v1                             daemonsets                      DaemonSet                       ns status
            apps/v1                             deployments                     Deployment                      ns status
            apps/v1                             replicasets                     ReplicaSet                      ns status
            apps/v1                             statefulsets                    StatefulSet                     ns status
            authentication.k8s.io/v1            selfsubjectreviews              SelfSubjectReview               cluster
            authentication.k8s.io/v1            tokenreviews                    TokenReview                     cluster
            authorization.k8s.io/v1             localsubjectaccessreviews       LocalSubjectAccessReview        ns
            authorization.k8s.io/v1             selfsubjectaccessreviews        SelfSubjectAccessReview         cluster
            authorization.k8s.io/v1             selfsubjectrulesreviews         SelfSubjectRulesReview          cluster
            authorization.k8s.io/v1             subjectaccessreviews            SubjectAccessReview             cluster
            autoscaling/v1                      horizontalpodautoscalers        HorizontalPodAutoscaler         ns status
            autoscaling/v2                      horizontalpodautoscalers        HorizontalPodAutoscaler         ns status
            batch/v1                            cronjobs                        CronJob                         ns status
            batch/v1                            jobs                            Job                             ns status
            certificates.k8s.io/v1              certificatesigningrequests      CertificateSigningRequest       cluster status
            coordination.k8s.io/v1              leases                          Lease                           ns
            discovery.k8s.io/v1                 endpointslices                  EndpointSlice                   ns
            events.k8s.io/v1                    events                          Event                           ns
            flowcontrol.apiserver.k8s.io/v1     flowschemas                     FlowSchema                      cluster status
            flowcontrol.apiserver.k8s.io/v1     prioritylevelconfigurations     PriorityLevelConfiguration      cluster status
            networking.k8s.io/v1                ingressclasses                  IngressClass                    cluster
            networking.k8s.io/v1                ingresses                       Ingress                         ns status
            networking.k8s.io/v1                networkpolicies                 NetworkPolicy                   ns
            node.k8s.io/v1                      runtimeclasses                  RuntimeClass                    cluster
            policy/v1                           poddisruptionbudgets            PodDisruptionBudget             ns status
            rbac.authorization.k8s.io/v1        clusterrolebindings             ClusterRoleBinding              cluster
            rbac.authorization.k8s.io/v1        clusterroles                    ClusterRole                     cluster
            rbac.authorization.k8s.io/v1        rolebindings                    RoleBinding                     ns
            rbac.authorization.k8s.io/v1        roles                           Role                            ns
            scheduling.k8s.io/v1                priorityclasses                 PriorityClass                   cluster
            storage.k8s.io/v1                   csidrivers                      CSIDriver                       cluster
            storage.k8s.io/v1                   csinodes                        CSINode                         cluster
            storage.k8s.io/v1                   csistoragecapacities            CSIStorageCapacity              ns
            storage.k8s.io/v1                   storageclasses                  StorageClass                    cluster
            storage.k8s.io/v1                   volumeattachments               VolumeAttachment                cluster status
            """);

    /** The preferred version of the built-in groups that serve more than one. */
    private static final Map<String, String> PREFERRED = Map.of("autoscaling", "v2");

    /** By group/version, then plural: the resources of established CRDs. */
    private final Map<String, Map<String, Resource>> custom = new ConcurrentHashMap<>();

    private static final Map<String, Map<String, Resource>> BUILT_IN_BY_GROUP_VERSION = index(BUILT_IN);

    private static List<Resource> table(String text) {
        List<Resource> resources = new ArrayList<>();
        for (String line : text.strip().split("\n")) {
            String[] cells = line.strip().split("\\s+");
            String[] groupVersion = cells[0].contains("/") ? cells[0].split("/") : new String[] {"", cells[0]};
            String flag = cells.length > 4 ? cells[4] : "";
            Status status = switch (flag) {
                case "status" -> Status.SUBRESOURCE;
                case "status-kept-on-create" -> Status.SUBRESOURCE_KEPT_ON_CREATE;
                default -> Status.NONE;
            };
            resources.add(new Resource(groupVersion[0], groupVersion[1], cells[1], cells[2].toLowerCase(), cells[2],
                    cells[3].equals("ns"), status));
        }
        return List.copyOf(resources);
    }

    private static Map<String, Map<String, Resource>> index(List<Resource> resources) {
        Map<String, Map<String, Resource>> index = new LinkedHashMap<>();
        resources.forEach(r -> index.computeIfAbsent(r.groupVersion(), gv -> new LinkedHashMap<>()).put(r.plural(), r));
        return index;
    }

    /** The resource a path names, if this server serves it. */
    Optional<Resource> find(String group, String version, String plural) {
        String groupVersion = group.isEmpty() ? version : group + "/" + version;
        Resource builtIn = BUILT_IN_BY_GROUP_VERSION.getOrDefault(groupVersion, Map.of()).get(plural);
        if (builtIn != null) {
            return Optional.of(builtIn);
        }
        return Optional.ofNullable(custom.getOrDefault(groupVersion, Map.of()).get(plural));
    }

    /** Serves the versions of a CRD's resource that it marks served (replacing what the CRD served before). */
    void serve(String crdName, List<Resource> servedVersions) {
        stopServing(crdName);
        servedVersions.forEach(r -> custom.computeIfAbsent(r.groupVersion(), gv -> new ConcurrentHashMap<>())
                .put(r.plural(), r));
    }

    /** The CRD {@code <plural>.<group>} is gone: its resource is no longer served, in any version. */
    void stopServing(String crdName) {
        int dot = crdName.indexOf('.');
        if (dot < 0) {
            return;
        }
        String plural = crdName.substring(0, dot);
        String group = crdName.substring(dot + 1);
        custom.entrySet().removeIf(entry -> {
            if (entry.getKey().startsWith(group + "/")) {
                entry.getValue().remove(plural);
            }
            return entry.getValue().isEmpty();
        });
    }

    /**
     * The answer to a discovery request ({@code /}, {@code /version}, {@code /api}, {@code /api/v1}, {@code /apis},
     * {@code /apis/<group>}, {@code /apis/<group>/<version>}), or empty when the path is none of them or names a group
     * or version not served.
     */
    Optional<Object> discovery(String path, String kubernetesVersion) {
        String[] segments = path.split("/");
        if (path.equals("/") || path.isEmpty()) {
            return Optional.of(Map.of("paths", List.of("/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz",
                    "/version")));
        } else if (path.equals("/version")) {
            String[] numbers = kubernetesVersion.substring(1).split("\\.");
            return Optional.of(Map.of("major", numbers[0], "minor", numbers[1], "gitVersion", kubernetesVersion,
                    "gitTreeState", "clean", "goVersion", "go1.22.10", "compiler", "gc", "platform", "linux/amd64"));
        } else if (path.equals("/api")) {
            return Optional.of(coreVersions());
        } else if (path.equals("/api/v1")) {
            return resources("", "v1");
        } else if (path.equals("/apis")) {
            return Optional.of(groups());
        } else if (segments.length == 3 && segments[1].equals("apis")) {
            return group(segments[2]).map(Object.class::cast);
        } else if (segments.length == 4 && segments[1].equals("apis")) {
            return resources(segments[2], segments[3]);
        }
        return Optional.empty();
    }

    /** {@code GET /api}: the core group's versions. */
    Object coreVersions() {
        return new APIVersionsBuilder().withVersions("v1").build();
    }

    /** {@code GET /apis}: every named group this server serves, built-in first. */
    Object groups() {
        return new APIGroupListBuilder().withGroups(groupNames().stream().map(this::group)
                .map(Optional::orElseThrow).toList()).build();
    }

    /** {@code GET /apis/<group>}, if any version of it is served. */
    Optional<APIGroup> group(String group) {
        List<String> versions = new ArrayList<>();
        for (Map<String, Map<String, Resource>> index : List.of(BUILT_IN_BY_GROUP_VERSION, custom)) {
            index.keySet().stream().filter(gv -> gv.startsWith(group + "/"))
                    .map(gv -> gv.substring(group.length() + 1)).filter(v -> !versions.contains(v))
                    .forEach(versions::add);
        }
        if (versions.isEmpty()) {
            return Optional.empty();
        }
        versions.sort(Comparator.comparing(ApiResources::versionPriority));
        String preferred = PREFERRED.getOrDefault(group, versions.get(0));
        return Optional.of(new APIGroupBuilder().withName(group)
                .withVersions(versions.stream().map(v -> new GroupVersionForDiscoveryBuilder()
                        .withGroupVersion(group + "/" + v).withVersion(v).build()).toList())
                .withPreferredVersion(new GroupVersionForDiscoveryBuilder().withGroupVersion(group + "/" + preferred)
                        .withVersion(preferred).build())
                .build());
    }

    /** {@code GET /api/v1} or {@code GET /apis/<group>/<version>}, if that version is served. */
    Optional<Object> resources(String group, String version) {
        String groupVersion = group.isEmpty() ? version : group + "/" + version;
        List<Resource> resources = new ArrayList<>(BUILT_IN_BY_GROUP_VERSION.getOrDefault(groupVersion, Map.of())
                .values());
        resources.addAll(custom.getOrDefault(groupVersion, Map.of()).values());
        if (resources.isEmpty()) {
            return Optional.empty();
        }
        APIResourceListBuilder list = new APIResourceListBuilder().withGroupVersion(groupVersion);
        for (Resource r : resources) {
            list.addToResources(new APIResourceBuilder().withName(r.plural()).withSingularName(r.singular())
                    .withKind(r.kind()).withNamespaced(r.namespaced())
                    .withVerbs("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
                    .build());
            if (r.status() != Status.NONE) {
                list.addToResources(new APIResourceBuilder().withName(r.plural() + "/status").withSingularName("")
                        .withKind(r.kind()).withNamespaced(r.namespaced()).withVerbs("get", "patch", "update")
                        .build());
            }
        }
        return Optional.of(list.build());
    }

    private List<String> groupNames() {
        List<String> names = new ArrayList<>();
        for (Map<String, Map<String, Resource>> index : List.of(BUILT_IN_BY_GROUP_VERSION, custom)) {
            index.keySet().stream().filter(gv -> gv.contains("/")).map(gv -> gv.substring(0, gv.indexOf('/')))
                    .filter(g -> !names.contains(g)).forEach(names::add);
        }
        return names;
    }

    /**
     * Kubernetes' order of versions (GA before beta before alpha, higher before lower), as discovery lists them: the
     * first is the preferred one.
     */
    static String versionPriority(String version) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?").matcher(version);
        if (!m.matches()) {
            return "9" + version;
        }
        int major = Integer.parseInt(m.group(1));
        int stability = m.group(2) == null ? 0 : m.group(2).equals("beta") ? 1 : 2;
        int minor = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return "%d%04d%04d".formatted(stability, 9999 - major, 9999 - minor);
    }
}
