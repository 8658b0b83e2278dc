package io.pivotplane.pivot.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.capi.bootstrap.CloudControllerManager;
import io.pivotplane.capi.bootstrap.CloudControllerManagers;
import io.pivotplane.capi.bootstrap.CredentialsSecret;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.ClusterSpec;
import io.pivotplane.pivot.domain.LastUsed;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The bootstrap layer that goes onto the first control-plane node before the pivot, because nothing else gets the
 * cluster going: the profile's network plugin (no node is Ready without one, so no control-plane replica counts
 * as ready), and, where the cluster runs with {@code cloud-provider: external}, its cloud's controller manager (no
 * node gets its provider id without one, so no Machine gets its node). Upstream cluster templates install both
 * through ClusterResourceSets from the management cluster; pivotplane applies them itself, with the same manifests.
 */
public final class WorkloadBootstrap {

    private WorkloadBootstrap() {
    }

    /** Parsed network plugin manifests, by their text: a profile's are the same for each of its clusters. */
    private static final LastUsed<String, List<HasMetadata>> NETWORK_PLUGINS = new LastUsed<>(16);
    /** The cloud-controller-managers of the clusters last moved: rendered for each cluster, asked for on every look. */
    private static final LastUsed<ClusterSpec, Optional<List<HasMetadata>>> CLOUD_CONTROLLERS = new LastUsed<>(64);

    /**
     * The objects of the layer, in the order to apply them: network plugin first. A move asks for them on every look
     * at its rollout, and parsing manifests costs more than the look: what was parsed and rendered is kept, and the
     * objects are shared, unmodified by those who apply them.
     */
    public static List<HasMetadata> layer(KubernetesClient target, ClusterSpec spec) {
        List<HasMetadata> objects = new ArrayList<>(networkPlugin(target, spec));
        CLOUD_CONTROLLERS.get(spec, cluster -> CloudControllerManagers.forCluster(cluster)
                .map(manager -> List.copyOf(manager.objects()))).ifPresent(objects::addAll);
        return objects;
    }

    /** The add-ons of layer {@code cni}: request validation makes sure there is one. */
    public static List<Addon> networkPluginAddons(ClusterSpec spec) {
        return spec.profile().addons().stream().filter(addon -> Addon.LAYER_CNI.equals(addon.layer())).toList();
    }

    private static List<HasMetadata> networkPlugin(KubernetesClient target, ClusterSpec spec) {
        List<HasMetadata> objects = new ArrayList<>();
        for (Addon addon : networkPluginAddons(spec)) {
            for (String manifest : addon.manifests()) {
                objects.addAll(NETWORK_PLUGINS.get(manifest, text -> target.load(new ByteArrayInputStream(
                        text.getBytes(StandardCharsets.UTF_8))).items().stream().filter(Objects::nonNull).toList()));
            }
        }
        return objects;
    }

    /**
     * The Secret the cloud's controller manager logs in with, filled from the cluster's own credentials in the
     * management cluster; empty when the CCM needs none (AWS and Azure read theirs from the node).
     *
     * @throws MissingCredentialsException when the credentials it is filled from are not there
     */
    public static Optional<Secret> cloudCredentials(KubernetesClient management, ClusterSpec spec) {
        Optional<CredentialsSecret> needed = CloudControllerManagers.forCluster(spec)
                .flatMap(CloudControllerManager::credentialsSecret);
        if (needed.isEmpty()) {
            return Optional.empty();
        }
        CredentialsSecret wanted = needed.get();
        String source = wanted.source().namespace() + "/" + wanted.source().name();
        Secret from = management.secrets().inNamespace(wanted.source().namespace())
                .withName(wanted.source().name()).get();
        if (from == null) {
            throw new MissingCredentialsException("the " + spec.infrastructure().provider()
                    + " cloud-controller-manager needs the credentials of Secret " + source
                    + ", which the management cluster does not have");
        }
        Map<String, String> data = new TreeMap<>();
        wanted.keys().forEach((key, sourceKey) -> {
            String value = value(from, sourceKey);
            if (value == null) {
                throw new MissingCredentialsException("Secret " + source + " has no key '" + sourceKey + "'");
            }
            data.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        });
        return Optional.of(new SecretBuilder().withNewMetadata().withName(wanted.name().name())
                .withNamespace(wanted.name().namespace()).withLabels(wanted.labels()).endMetadata()
                .withType(wanted.type()).withData(data).build());
    }

    private static String value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().containsKey(key)) {
            return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }

    /** Credentials the cluster needs are not where they should be: named, never shown. */
    public static final class MissingCredentialsException extends RuntimeException {
        public MissingCredentialsException(String message) {
            super(message);
        }
    }
}
