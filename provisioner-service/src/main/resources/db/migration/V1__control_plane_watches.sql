-- Clusters whose first control-plane node is awaited: survives a restart, and decides once who publishes.
CREATE TABLE control_plane_watch (
    cluster_id     varchar(64)  PRIMARY KEY,
    namespace      varchar(63)  NOT NULL,
    cluster_name   varchar(63)  NOT NULL,
    correlation_id varchar(64)  NOT NULL,
    deadline       timestamptz  NOT NULL,
    -- WAITING, READY or TIMED_OUT
    state          varchar(16)  NOT NULL,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    finished_at    timestamptz
);

CREATE INDEX control_plane_watch_waiting_idx ON control_plane_watch (deadline) WHERE state = 'WAITING';
