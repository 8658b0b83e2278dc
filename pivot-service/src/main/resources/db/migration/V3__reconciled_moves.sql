-- Moves are advanced by a reconciler instead of a consumer thread: what a step waits for, since when, and which
-- replica holds the move for now. A cluster has up to two moves: into its workload cluster (the pivot) and back
-- into the management cluster before it is deleted (the reverse pivot).
ALTER TABLE pivot_object DROP CONSTRAINT pivot_object_cluster_id_fkey;
ALTER TABLE pivot_object DROP CONSTRAINT pivot_object_cluster_id_source_uid_key;
ALTER TABLE pivot_object DROP CONSTRAINT pivot_object_pkey;
ALTER TABLE pivot_move DROP CONSTRAINT pivot_move_pkey;

-- PIVOT (management -> workload) or REVERSE_PIVOT (workload -> management)
ALTER TABLE pivot_move ADD COLUMN direction varchar(16) NOT NULL DEFAULT 'PIVOT';
ALTER TABLE pivot_move ADD PRIMARY KEY (cluster_id, direction);
-- when the current step began: a step that waits fails once it has waited longer than its timeout
ALTER TABLE pivot_move ADD COLUMN step_started_at timestamptz NOT NULL DEFAULT now();
-- attempts at the current step that failed on something that may pass (an API server not answering)
ALTER TABLE pivot_move ADD COLUMN attempts integer NOT NULL DEFAULT 0;
-- what the step waits for, or the last error that will be retried: for operators, never a secret value
ALTER TABLE pivot_move ADD COLUMN waiting_for text;
-- the step a failed move stopped at: a move that failed after creating every object goes on from there when its
-- ControlPlaneReady comes again (or a deletion asks again), as forward is the only way that strands nothing
ALTER TABLE pivot_move ADD COLUMN failed_at_step varchar(32);
ALTER TABLE pivot_move ADD COLUMN lease_owner varchar(128);
ALTER TABLE pivot_move ADD COLUMN lease_until timestamptz;

ALTER TABLE pivot_object ADD COLUMN direction varchar(16) NOT NULL DEFAULT 'PIVOT';
-- null for a cluster-scoped object (a global identity)
ALTER TABLE pivot_object ADD COLUMN namespace varchar(63);
-- false for what is copied and stays in the source: global identities and the credentials other clusters share
ALTER TABLE pivot_object ADD COLUMN delete_from_source boolean NOT NULL DEFAULT true;
-- true when a copy the target has already is kept as it is (global identities, shared credentials), as clusterctl
-- keeps global objects
ALTER TABLE pivot_object ADD COLUMN keep_if_exists boolean NOT NULL DEFAULT false;
ALTER TABLE pivot_object ADD PRIMARY KEY (cluster_id, direction, position);
ALTER TABLE pivot_object ADD UNIQUE (cluster_id, direction, source_uid);
ALTER TABLE pivot_object ADD FOREIGN KEY (cluster_id, direction) REFERENCES pivot_move (cluster_id, direction);
UPDATE pivot_object o SET namespace = m.namespace FROM pivot_move m WHERE o.cluster_id = m.cluster_id;

-- deletions are reconciled the same way
ALTER TABLE cluster_deletion ADD COLUMN step_started_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE cluster_deletion ADD COLUMN waiting_for text;
ALTER TABLE cluster_deletion ADD COLUMN lease_owner varchar(128);
ALTER TABLE cluster_deletion ADD COLUMN lease_until timestamptz;
-- the phase of a teardown the deletion is in (workers, control plane, Cluster, the rest): each has its timeout
ALTER TABLE cluster_deletion ADD COLUMN phase varchar(32);
-- what the teardown deleted so far, in order, as a JSON array of object references: what ClusterDeleted reports
ALTER TABLE cluster_deletion ADD COLUMN deleted_objects text NOT NULL DEFAULT '[]';
