-- Each change to a running cluster's spec is a new generation of it (its request is 0); the latest change and how it
-- ended are kept with the cluster (the events of every change stay on cluster.change-requested and cluster.changed).
ALTER TABLE cluster ADD COLUMN spec_generation bigint NOT NULL DEFAULT 0;
ALTER TABLE cluster ADD COLUMN change_summary text;
ALTER TABLE cluster ADD COLUMN change_state varchar(16);
ALTER TABLE cluster ADD COLUMN change_message text;
ALTER TABLE cluster ADD COLUMN change_requested_at timestamptz;
ALTER TABLE cluster ADD COLUMN change_completed_at timestamptz;
