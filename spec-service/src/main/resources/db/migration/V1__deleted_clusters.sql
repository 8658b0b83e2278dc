-- Clusters whose deletion was asked for. Events of one cluster come on different topics: a ClusterRequested
-- handled after its ClusterDeletionRequested must not create the objects the deletion already looked for.
CREATE TABLE deleted_cluster (
    cluster_id   varchar(64)  PRIMARY KEY,
    requested_at timestamptz  NOT NULL DEFAULT now()
);
