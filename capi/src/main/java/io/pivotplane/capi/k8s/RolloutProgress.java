package io.pivotplane.capi.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Rollouts#pending} for one wait that looks again and again: what it once found rolled out is not asked for
 * again, as Helm's {@code --wait} is done with a resource once it is ready. A provider's CRDs are most of what a wait
 * follows, each a large object the API server sends whole, and one Established stays so; asking for all of them on
 * every look made the waits for Cluster API's providers most of what a pivot cost.
 */
public final class RolloutProgress {

    private final Set<String> rolledOut = ConcurrentHashMap.newKeySet();

    /** @return one line per object that is not rolled out yet, as {@link Rollouts#pending} says it */
    public List<String> pending(KubernetesClient client, Collection<? extends HasMetadata> applied) {
        List<String> pending = new ArrayList<>();
        for (HasMetadata object : applied) {
            String key = key(object);
            if (rolledOut.contains(key)) {
                continue;
            }
            Optional<String> lacking = Rollouts.pending(client, object);
            if (lacking.isPresent()) {
                pending.add(lacking.get());
            } else {
                rolledOut.add(key);
            }
        }
        return pending;
    }

    private static String key(HasMetadata object) {
        return object.getApiVersion() + "/" + object.getKind() + "/" + object.getMetadata().getNamespace() + "/"
                + object.getMetadata().getName();
    }
}
