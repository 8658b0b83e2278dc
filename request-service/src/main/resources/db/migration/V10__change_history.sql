-- Every change of a running cluster, as it went: asked for (held while the cluster was paused), sent, superseded by a
-- newer one before it ended, applied or failed. The cluster row keeps the latest; this keeps them all.
CREATE TABLE cluster_change (
    cluster_id   uuid         NOT NULL REFERENCES cluster (id) ON DELETE CASCADE,
    generation   bigint       NOT NULL,
    summary      text         NOT NULL,
    state        varchar(16)  NOT NULL,
    message      text,
    requested_at timestamptz  NOT NULL,
    completed_at timestamptz,
    PRIMARY KEY (cluster_id, generation)
);
