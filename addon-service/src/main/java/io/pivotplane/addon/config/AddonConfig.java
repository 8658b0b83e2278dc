package io.pivotplane.addon.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of addon-service, under {@code pivotplane.addons.*}. */
@ConfigMapping(prefix = "pivotplane.addons")
public interface AddonConfig {

    /** Installs of one add-on before the cluster fails on it. */
    @WithDefault("3")
    int maxAttempts();
}
