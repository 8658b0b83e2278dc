-- The version of each cluster's agent as addon-service last heard it (AgentVersionReported), and whether the plane
-- drives it; null until the agent first reported.
ALTER TABLE cluster ADD COLUMN agent_version varchar(64);
ALTER TABLE cluster ADD COLUMN agent_supported boolean;
ALTER TABLE cluster ADD COLUMN agent_reported_at timestamptz;
