-- One deprovisioning per cluster and where it stands: a restarted pivot-service carries on from here, and a
-- move that ends while a deletion waits for it hands the cluster over.
CREATE TABLE cluster_deletion (
    cluster_id     varchar(64)  PRIMARY KEY,
    namespace      varchar(63)  NOT NULL,
    cluster_name   varchar(63)  NOT NULL,
    correlation_id varchar(64)  NOT NULL,
    -- REQUESTED, COMMANDED (the agent deletes its own cluster), DONE, FAILED
    state          varchar(16)  NOT NULL,
    command_id     varchar(128),
    failure        text,
    requested_at   timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now()
);
