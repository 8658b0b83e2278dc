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
