-- The latest change of each running cluster's spec that addon-service carried to the cluster's agent: the APPLY_SPEC
-- command it sent, and whether the agent has answered. A newer generation replaces an older one still rolling.
CREATE TABLE spec_change (
    cluster_id     varchar(64)  PRIMARY KEY,
    generation     bigint       NOT NULL,
    command_id     varchar(64)  NOT NULL,
    correlation_id varchar(128),
    sent_at        timestamptz  NOT NULL,
    -- past this with no answer (outcome still null), the change is given up as failed
    answer_due     timestamptz  NOT NULL,
    outcome        varchar(16)
);
CREATE INDEX spec_change_unanswered_idx ON spec_change (answer_due) WHERE outcome IS NULL;
