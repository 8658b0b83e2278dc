package io.pivotplane.capi.components;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.pivotplane.capi.ObjectMaps;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Moves images to another repository as clusterctl's {@code images: all: repository:} setting does
 * ({@code cmd/clusterctl/client/config/imagemeta_client.go}, ApplyToImage, with the parse of
 * {@code util/container/image.go}, ImageFromString): the repository is everything before the image's last path
 * element, and only it changes, so {@code registry.k8s.io/cluster-api/cluster-api-controller:v1.9.11} moved to
 * {@code mirror.example.com/capi} becomes {@code mirror.example.com/capi/cluster-api-controller:v1.9.11}.
 */
public final class Images {

    /** The pod specs of each workload kind, as paths from the object. */
    private static final Map<String, List<String>> POD_SPEC = Map.of(
            "Pod", List.of("spec"),
            "Deployment", List.of("spec", "template", "spec"),
            "DaemonSet", List.of("spec", "template", "spec"),
            "StatefulSet", List.of("spec", "template", "spec"),
            "ReplicaSet", List.of("spec", "template", "spec"),
            "ReplicationController", List.of("spec", "template", "spec"),
            "Job", List.of("spec", "template", "spec"),
            "CronJob", List.of("spec", "jobTemplate", "spec", "template", "spec"));

    private Images() {
    }

    /**
     * The image in {@code repository} instead of its own.
     *
     * @throws IllegalArgumentException for a reference that does not name its registry (e.g. {@code nginx:1.27}),
     *     which clusterctl refuses too (distribution's reference.ParseNamed: not canonical)
     */
    public static String withRepository(String image, String repository) {
        String rest = image;
        String digest = "";
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at);
            rest = rest.substring(0, at);
        }
        String tag = "";
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon);
            rest = rest.substring(0, colon);
        }
        if (!canonical(rest)) {
            throw new IllegalArgumentException("image " + image + " does not name its registry");
        }
        int slash = rest.lastIndexOf('/');
        String trimmed = repository.endsWith("/") ? repository.substring(0, repository.length() - 1) : repository;
        return trimmed + "/" + rest.substring(slash + 1) + tag + digest;
    }

    /**
     * Whether the name is already in the form docker's normalisation would give it (distribution's
     * reference.ParseNormalizedNamed, splitDockerDomain): its first element is a registry (a dot, a port, localhost
     * or capitals), and on Docker Hub an official image names {@code library/}.
     */
    private static boolean canonical(String name) {
        int slash = name.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String first = name.substring(0, slash);
        boolean registry = first.contains(".") || first.contains(":") || first.equals("localhost")
                || !first.toLowerCase(Locale.ROOT).equals(first);
        if (!registry || first.equals("index.docker.io")) {
            return false;
        }
        return !first.equals("docker.io") || name.indexOf('/', slash + 1) > 0;
    }

    /**
     * Moves the image of every container and init container of every workload object to {@code repository}.
     * clusterctl's FixImages ({@code cmd/clusterctl/internal/util/objs.go}) looks at Deployments and DaemonSets only,
     * the only workloads its manifests have; every workload kind here, so that nothing is left pulling from the old
     * registry.
     */
    public static void moveTo(List<GenericKubernetesResource> objects, String repository) {
        for (GenericKubernetesResource object : objects) {
            List<String> path = POD_SPEC.get(object.getKind());
            if (path == null) {
                continue;
            }
            Optional<Object> podSpec = ObjectMaps.at(object, path.toArray(String[]::new));
            if (podSpec.isPresent() && podSpec.get() instanceof Map<?, ?> spec) {
                moveContainers(spec.get("containers"), repository);
                moveContainers(spec.get("initContainers"), repository);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void moveContainers(Object containers, String repository) {
        if (!(containers instanceof List<?> list)) {
            return;
        }
        for (Object container : list) {
            if (container instanceof Map<?, ?> map && map.get("image") instanceof String image) {
                ((Map<String, Object>) map).put("image", withRepository(image, repository));
            }
        }
    }
}
