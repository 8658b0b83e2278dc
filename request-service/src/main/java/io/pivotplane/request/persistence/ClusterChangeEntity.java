package io.pivotplane.request.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

/**
 * One change of a running cluster and how it went: HELD, REQUESTED, SUPERSEDED (a newer change came before it
 * ended), or how {@code ClusterChanged} ended it. Written by the service and {@code ChangeRecorder}.
 */
@Entity
@Table(name = "cluster_change")
public class ClusterChangeEntity {

    @Embeddable
    public record Key(@Column(name = "cluster_id") UUID clusterId, @Column(name = "generation") long generation)
            implements Serializable {
    }

    @EmbeddedId
    public Key key;

    @Column(nullable = false, columnDefinition = "text")
    public String summary;

    @Column(nullable = false, length = 16)
    public String state;

    @Column(columnDefinition = "text")
    public String message;

    @Column(name = "requested_at", nullable = false)
    public Instant requestedAt;

    @Column(name = "completed_at")
    public Instant completedAt;
}
