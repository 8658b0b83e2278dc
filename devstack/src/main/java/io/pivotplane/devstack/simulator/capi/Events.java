package io.pivotplane.devstack.simulator.capi;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Events a provider records on an object (client-go's recorder): one Event per object, reason and message, its count
 * raised when it happens again. Where a provider reports a failure only as an event, this is how a user sees it.
 */
final class Events {

    private Events() {
    }

    static void warning(Api api, GenericKubernetesResource object, String component, String reason, String message) {
        String namespace = object.getMetadata().getNamespace();
        String name = object.getMetadata().getName() + "." + Integer.toHexString((reason + message).hashCode());
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Event existing = api.client().v1().events().inNamespace(namespace).withName(name).get();
        if (existing != null) {
            existing.setCount(existing.getCount() == null ? 2 : existing.getCount() + 1);
            existing.setLastTimestamp(now);
            api.client().v1().events().inNamespace(namespace).resource(existing).update();
            return;
        }
        api.createOrGet(new EventBuilder().withNewMetadata().withName(name.toLowerCase(Locale.ROOT))
                .withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withApiVersion(object.getApiVersion()).withKind(object.getKind())
                .withName(object.getMetadata().getName()).withNamespace(namespace)
                .withUid(object.getMetadata().getUid()).endInvolvedObject()
                .withType("Warning").withReason(reason).withMessage(message).withCount(1)
                .withFirstTimestamp(now).withLastTimestamp(now)
                .withNewSource().withComponent(component).endSource()
                .build());
    }
}
