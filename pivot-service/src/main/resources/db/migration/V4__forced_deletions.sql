-- A project admin forced the deletion: a pivoted cluster that cannot be moved back is torn down from the management
-- cluster with what it holds there.
ALTER TABLE cluster_deletion ADD COLUMN forced boolean NOT NULL DEFAULT false;
