-- Requested clusters: the validated spec as JSON, and the stage the cluster has reached.
CREATE TABLE cluster (
    id                 uuid         PRIMARY KEY,
    project            varchar(63)  NOT NULL,
    name               varchar(63)  NOT NULL,
    provider           varchar(16)  NOT NULL,
    kubernetes_version varchar(64)  NOT NULL,
    spec               text         NOT NULL,
    stage              varchar(32)  NOT NULL,
    correlation_id     varchar(64)  NOT NULL,
    idempotency_key    varchar(255),
    request_hash       varchar(64)  NOT NULL,
    created_at         timestamptz  NOT NULL,
    updated_at         timestamptz  NOT NULL,
    version            bigint       NOT NULL DEFAULT 0,
    CONSTRAINT cluster_project_name_key UNIQUE (project, name),
    CONSTRAINT cluster_idempotency_key_key UNIQUE (idempotency_key)
);

CREATE INDEX cluster_project_created_idx ON cluster (project, created_at DESC, id DESC);
CREATE INDEX cluster_created_idx ON cluster (created_at DESC, id DESC);

-- Transactional outbox: written with the change it reports, published to Kafka by the relay.
CREATE TABLE outbox_event (
    id             bigserial     PRIMARY KEY,
    event_id       uuid          NOT NULL UNIQUE,
    event_type     varchar(128)  NOT NULL,
    topic          varchar(128)  NOT NULL,
    record_key     varchar(255)  NOT NULL,
    source         varchar(255)  NOT NULL,
    event_time     timestamptz   NOT NULL,
    correlation_id varchar(64)   NOT NULL,
    payload        text          NOT NULL,
    created_at     timestamptz   NOT NULL,
    published_at   timestamptz,
    -- set when a row can never be published (e.g. unreadable); it is kept, logged and counted, not dropped
    failure        text
);

CREATE INDEX outbox_event_pending_idx ON outbox_event (id) WHERE published_at IS NULL AND failure IS NULL;
