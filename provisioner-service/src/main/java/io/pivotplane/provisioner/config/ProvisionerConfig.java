package io.pivotplane.provisioner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of provisioner-service, under {@code pivotplane.provisioner.*}. */
@ConfigMapping(prefix = "pivotplane.provisioner")
public interface ProvisionerConfig {

    /** How long the first control-plane node may take, from SpecsCreated, before the cluster fails. */
    @WithDefault("PT30M")
    Duration controlPlaneTimeout();
}
