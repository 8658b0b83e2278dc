package io.pivotplane.devstack.simulator.cluster;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a simulated controller does with a write the API refused, as a controller requeues its object: nothing else
 * waits for it, and the cluster is reconciled again soon. A conflict or a missing object means the controller's view
 * was behind; a server error (an admission webhook not reachable yet) may pass.
 */
final class Retries {

    private static final Logger LOG = LoggerFactory.getLogger(Retries.class);

    private final Runnable later;

    Retries(Runnable later) {
        this.later = later;
    }

    void failed(String what, KubernetesClientException e) {
        LOG.debug("{} failed, retrying: {}", what, e.getMessage());
        later.run();
    }
}
