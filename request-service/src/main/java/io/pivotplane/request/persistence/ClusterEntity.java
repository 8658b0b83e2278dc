package io.pivotplane.request.persistence;

import io.pivotplane.events.Stage;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A requested cluster as stored: its validated spec as JSON and where it stands. */
@Entity
@Table(name = "cluster")
public class ClusterEntity {

    @Id
    public UUID id;

    @Column(nullable = false, length = 63)
    public String project;

    @Column(nullable = false, length = 63)
    public String name;

    @Column(nullable = false, length = 16)
    public String provider;

    @Column(name = "kubernetes_version", nullable = false, length = 64)
    public String kubernetesVersion;

    /** The validated {@code ClusterSpec} as JSON. */
    @Column(nullable = false, columnDefinition = "text")
    public String spec;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 32)
    public Stage stage;

    @Column(name = "correlation_id", nullable = false, length = 64)
    public String correlationId;

    @Column(name = "idempotency_key", length = 255)
    public String idempotencyKey;

    /** SHA-256 of the validated spec, to tell a retry from a different request under the same key. */
    @Column(name = "request_hash", nullable = false, length = 64)
    public String requestHash;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The stage that failed, when one did. */
    @Column(name = "last_error_stage", length = 32)
    public String lastErrorStage;

    @Column(name = "last_error_reason", length = 128)
    public String lastErrorReason;

    @Column(name = "last_error_message", columnDefinition = "text")
    public String lastErrorMessage;

    @Column(name = "last_error_at")
    public Instant lastErrorAt;

    /** When a deletion was asked for; null while none was. */
    @Column(name = "deletion_requested_at")
    public Instant deletionRequestedAt;

    /** The stored profile the cluster was made from; null when its request gave the add-ons itself. */
    @Column(name = "profile_name", length = 63)
    public String profileName;

    @Column(name = "profile_version", length = 64)
    public String profileVersion;

    /** How many times the cluster moved to another profile: the generation of its add-ons. */
    @Column(name = "profile_generation", nullable = false)
    public long profileGeneration;

    /** How many times the cluster's spec was changed: the generation of its spec (its request is 0). */
    @Column(name = "spec_generation", nullable = false)
    public long specGeneration;

    /** The latest change, in words; null until the cluster is first changed. */
    @Column(name = "change_summary", columnDefinition = "text")
    public String changeSummary;

    /**
     * HELD while the cluster is paused, REQUESTED until the agent has rolled it, then one of
     * {@code ClusterChanged.Outcome}.
     */
    @Column(name = "change_state", length = 16)
    public String changeState;

    @Column(name = "change_message", columnDefinition = "text")
    public String changeMessage;

    @Column(name = "change_requested_at")
    public Instant changeRequestedAt;

    @Column(name = "change_completed_at")
    public Instant changeCompletedAt;

    /** Since when the cluster is paused for maintenance; null while it is not. */
    @Column(name = "paused_at")
    public Instant pausedAt;

    @Column(name = "pause_reason", columnDefinition = "text")
    public String pauseReason;

    /** A profile change stored while the cluster was paused, sent once it is resumed. */
    @Column(name = "profile_change_held", nullable = false)
    public boolean profileChangeHeld;

    /** The version the cluster's agent runs, as it last reported it; null until it did, or when it reports none. */
    @Column(name = "agent_version", length = 64)
    public String agentVersion;

    /** Whether the plane drives that agent; null until the agent first reported. */
    @Column(name = "agent_supported")
    public Boolean agentSupported;

    @Column(name = "agent_reported_at")
    public Instant agentReportedAt;

    @Version
    public long version;
}
