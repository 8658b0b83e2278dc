-- A cluster paused for maintenance takes changes but holds them: none reaches its agent until it is resumed, when the
-- newest of each kind goes out. Healing inside the cluster (MachineHealthChecks, the agent's drift repair) goes on.
ALTER TABLE cluster ADD COLUMN paused_at timestamptz;
ALTER TABLE cluster ADD COLUMN pause_reason text;
ALTER TABLE cluster ADD COLUMN profile_change_held boolean NOT NULL DEFAULT false;
