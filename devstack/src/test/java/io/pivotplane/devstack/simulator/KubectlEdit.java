package io.pivotplane.devstack.simulator;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Edits as an operator's tool does: read, change, write with the version read, and, when a controller wrote the object
 * in between (a 409 Conflict, which the API server keeps strict), read and change again, as client-go's
 * {@code retry.RetryOnConflict} does; the simulated controllers write statuses all the time.
 */
public final class KubectlEdit {

    private KubectlEdit() {
    }

    public static void edit(Resource<GenericKubernetesResource> resource, UnaryOperator<GenericKubernetesResource> edit) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                resource.edit(edit);
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                return false;
            }
        });
    }
}
