package io.pivotplane.request.persistence;

import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.EventJson;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** Writes events into the outbox, inside the caller's transaction. */
@ApplicationScoped
public class OutboxRepository implements PanacheRepositoryBase<OutboxEventEntity, Long> {

    public Uni<OutboxEventEntity> append(EventEnvelope<?> event) {
        OutboxEventEntity row = new OutboxEventEntity();
        row.eventId = UUID.fromString(event.id());
        row.eventType = event.type().ceType();
        row.topic = event.topic();
        row.recordKey = event.subject();
        row.source = event.source().toString();
        row.eventTime = event.time();
        row.correlationId = event.correlationId();
        row.payload = new String(EventJson.write(event.payload()), StandardCharsets.UTF_8);
        row.createdAt = Instant.now();
        return persist(row);
    }
}
