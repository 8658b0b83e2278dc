-- Each stage a cluster reached, from the events of the pipeline: its timeline.
CREATE TABLE cluster_stage_event (
    id          bigserial    PRIMARY KEY,
    cluster_id  uuid         NOT NULL REFERENCES cluster (id),
    stage       varchar(32)  NOT NULL,
    event_id    varchar(64)  NOT NULL UNIQUE,
    event_type  varchar(128) NOT NULL,
    reached_at  timestamptz  NOT NULL,
    -- for a failure: its reason and message
    reason      varchar(128),
    message     text
);

CREATE INDEX cluster_stage_event_cluster_idx ON cluster_stage_event (cluster_id, id);

ALTER TABLE cluster ADD COLUMN last_error_stage varchar(32);
ALTER TABLE cluster ADD COLUMN last_error_reason varchar(128);
ALTER TABLE cluster ADD COLUMN last_error_message text;
ALTER TABLE cluster ADD COLUMN last_error_at timestamptz;
