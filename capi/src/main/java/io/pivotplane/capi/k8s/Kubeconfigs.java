package io.pivotplane.capi.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.pivotplane.capi.Capi;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Reads the {@code <cluster>-kubeconfig} Secret the kubeadm control plane writes (key {@code value}). */
public final class Kubeconfigs {

    private Kubeconfigs() {
    }

    /** The workload cluster's client configuration; empty when the Secret or its key is missing. */
    public static Optional<Config> fromSecret(Secret secret) {
        if (secret == null || secret.getData() == null || !secret.getData().containsKey(Capi.KUBECONFIG_KEY)) {
            return Optional.empty();
        }
        try {
            String yaml = new String(Base64.getDecoder().decode(secret.getData().get(Capi.KUBECONFIG_KEY)),
                    StandardCharsets.UTF_8);
            return Optional.of(Config.fromKubeconfig(yaml));
        } catch (RuntimeException e) {
            // the parser quotes the line it stopped at, which may hold a key or a token: name the Secret only
            throw new IllegalStateException("the kubeconfig in Secret " + secret.getMetadata().getNamespace() + "/"
                    + secret.getMetadata().getName() + " cannot be read");
        }
    }
}
