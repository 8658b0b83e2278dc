package io.pivotplane.request.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A stage a cluster reached, as its timeline shows it. Written by {@code StageRecorder}, read here. */
@Entity
@Table(name = "cluster_stage_event")
public class StageEventEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "cluster_id", nullable = false)
    public UUID clusterId;

    @Column(nullable = false, length = 32)
    public String stage;

    @Column(name = "event_id", nullable = false, length = 64)
    public String eventId;

    @Column(name = "event_type", nullable = false, length = 128)
    public String eventType;

    @Column(name = "reached_at", nullable = false)
    public Instant reachedAt;

    @Column(length = 128)
    public String reason;

    @Column(columnDefinition = "text")
    public String message;

    /** What the event says about placement or add-ons, as JSON; see {@code StageRecorder}. */
    @Column(columnDefinition = "text")
    public String detail;
}
