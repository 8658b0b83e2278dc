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
     * How long past an add-on's own ready timeout its command may go unanswered by the cluster's agent before it
     * counts as a failed attempt: the agent answers once the add-on is rolled out, or its ready timeout has passed.
     */
    @WithDefault("5m")
    java.time.Duration commandTimeout();

    /** The pause before a failed add-on is sent again; it doubles with each attempt. */
    @WithDefault("10s")
    java.time.Duration retryBackoff();

    /** The longest pause between attempts. */
    @WithDefault("5m")
    java.time.Duration maxRetryBackoff();

    /**
     * How long a plan made by a cluster's pivot or its agent's reports waits for the cluster's request (topics are
     * read in any order) before it is removed as the plan of a cluster that was never requested.
     */
    @WithDefault("1h")
    java.time.Duration profileWait();

    /**
     * How long a change of a running cluster's spec may roll before the plane says it failed, when its agent has not
     * answered: an agent that is gone, or a cluster that cannot roll (no capacity, a machine that never comes up).
     * Long enough for a rolling upgrade of a large cluster; the cluster keeps rolling, and a newer change may follow.
     */
    @WithDefault("2h")
    java.time.Duration changeTimeout();

    /** How often unanswered commands, retries due and plans without a request are looked for. */
    @WithDefault("15s")
    java.time.Duration sweepInterval();
}
