-- Deprovisioning: when a deletion was asked for (a repeated DELETE publishes nothing new).
ALTER TABLE cluster ADD COLUMN deletion_requested_at timestamptz;

-- What a stage's event says about the cluster, as JSON: where its CAPI objects are (SpecsCreated, Pivoted,
-- ClusterDeleted) and how its add-ons went (AddonsInstalled). The API's describe view is built from it.
ALTER TABLE cluster_stage_event ADD COLUMN detail text;
