package io.pivotplane.addon.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of addon-service, under {@code pivotplane.addons.*}. */
@ConfigMapping(prefix = "pivotplane.addons")
public interface AddonConfig {

    /** Installs of one add-on before the cluster fails on it. */
    @WithDefault("3")
    int maxAttempts();

    /**
     * How long a command may go unanswered by the cluster's agent before it counts as a failed attempt: the agent
     * applies an add-on's manifests and answers, it does not wait for them to roll out.
     */
    @WithDefault("5m")
    java.time.Duration commandTimeout();

    /**
     * How long a plan made by a cluster's pivot or its agent's reports waits for the cluster's request (topics are
     * read in any order) before it is removed as the plan of a cluster that was never requested.
     */
    @WithDefault("1h")
    java.time.Duration profileWait();

    /** How often unanswered commands and plans without a request are looked for. */
    @WithDefault("15s")
    java.time.Duration sweepInterval();
}
