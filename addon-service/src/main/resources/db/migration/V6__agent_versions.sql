-- The version each cluster's agent last reported (null: it reports none), from the reports addon-service reads anyway
-- (heartbeats are not read): a change is sent only to an agent the plane drives.
CREATE TABLE agent_version (
    cluster_id  varchar(64)  PRIMARY KEY,
    version     varchar(64),
    reported_at timestamptz  NOT NULL
);
