-- One move per cluster, and the step it has reached: a restarted pivot-service resumes from here.
CREATE TABLE pivot_move (
    cluster_id     varchar(64)  PRIMARY KEY,
    namespace      varchar(63)  NOT NULL,
    cluster_name   varchar(63)  NOT NULL,
    correlation_id varchar(64)  NOT NULL,
    api_endpoint   text         NOT NULL,
    -- STARTED, AGENT_INSTALLED, PAUSED, COLLECTED, CREATED, DELETED, UNPAUSED, DONE, FAILED
    step           varchar(32)  NOT NULL,
    failure        text,
    started_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now()
);

-- The object graph of a move, in creation order (owners first), with each object's uid on both sides.
-- Only identities are kept: Secrets' contents are read from the source when they are created, never stored here.
CREATE TABLE pivot_object (
    cluster_id  varchar(64)   NOT NULL REFERENCES pivot_move (cluster_id),
    position    integer       NOT NULL,
    api_version varchar(128)  NOT NULL,
    kind        varchar(128)  NOT NULL,
    name        varchar(253)  NOT NULL,
    source_uid  varchar(64)   NOT NULL,
    target_uid  varchar(64),
    created_at  timestamptz,
    deleted_at  timestamptz,
    PRIMARY KEY (cluster_id, position),
    UNIQUE (cluster_id, source_uid)
);
