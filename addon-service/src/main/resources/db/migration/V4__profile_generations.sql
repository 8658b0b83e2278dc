-- A cluster moves from profile to profile: each is a generation of its plan (the first is 0), with rows of its own.
ALTER TABLE addon_plan ADD COLUMN generation bigint NOT NULL DEFAULT 0;
ALTER TABLE addon_install ADD COLUMN generation bigint NOT NULL DEFAULT 0;
-- INSTALL, or UNINSTALL for an add-on the new profile no longer has
ALTER TABLE addon_install ADD COLUMN action varchar(16) NOT NULL DEFAULT 'INSTALL';
ALTER TABLE addon_install DROP CONSTRAINT addon_install_pkey;
ALTER TABLE addon_install ADD PRIMARY KEY (cluster_id, generation, position);
