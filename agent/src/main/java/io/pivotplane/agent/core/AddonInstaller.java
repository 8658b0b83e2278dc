package io.pivotplane.agent.core;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pivotplane.agent.install.AgentManifests;
import io.pivotplane.capi.k8s.DesiredState;
import io.pivotplane.events.model.Addon;
import io.pivotplane.events.model.AddonResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 6: applies an add-on's manifests into the cluster as desired state, so a repeated command changes
 * nothing, and records what is installed in a ConfigMap per add-on.
 */
final class AddonInstaller {

    private static final Logger LOG = LoggerFactory.getLogger(AddonInstaller.class);
    static final String RECORD_PREFIX = "pivotplane-addon-";

    private final KubernetesClient client;

    AddonInstaller(KubernetesClient client) {
        this.client = client;
    }

    AddonResult install(Addon addon) {
        List<String> applied = new ArrayList<>();
        try {
            for (String manifest : addon.manifests()) {
                List<HasMetadata> objects = client.load(new ByteArrayInputStream(
                        manifest.getBytes(StandardCharsets.UTF_8))).items();
                for (HasMetadata object : objects) {
                    if (object == null) {
                        continue;
                    }
                    DesiredState.ensure(client, object);
                    applied.add(object.getKind() + "/" + object.getMetadata().getName());
                }
            }
            DesiredState.ensure(client, new ConfigMapBuilder().withNewMetadata()
                    .withName(RECORD_PREFIX + addon.name()).withNamespace(AgentManifests.NAMESPACE)
                    .addToLabels("pivotplane.io/addon", addon.name())
                    .endMetadata()
                    .addToData("layer", addon.layer())
                    .addToData("version", addon.version() == null ? "" : addon.version())
                    .addToData("objects", String.join(",", applied))
                    .build());
            LOG.info("Add-on {} installed: {}", addon.name(), applied);
            return new AddonResult(addon.name(), AddonResult.State.INSTALLED,
                    applied.size() + " object(s) applied at " + Instant.now());
        } catch (RuntimeException e) {
            LOG.warn("Add-on {} failed: {}", addon.name(), e.toString());
            return new AddonResult(addon.name(), AddonResult.State.FAILED, describe(e));
        }
    }

    private static String describe(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root.getMessage();
    }
}
