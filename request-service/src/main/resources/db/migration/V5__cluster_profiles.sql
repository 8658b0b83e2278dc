-- Stored cluster profiles: a name and a SemVer version, their add-ons as JSON. A version that a cluster used never
-- changes (checked against cluster.profile_*).
CREATE TABLE cluster_profile (
    name        varchar(63)  NOT NULL,
    version     varchar(64)  NOT NULL,
    description varchar(1024),
    addons      text         NOT NULL,
    created_by  varchar(255) NOT NULL,
    created_at  timestamptz  NOT NULL,
    updated_at  timestamptz  NOT NULL,
    PRIMARY KEY (name, version)
);

-- Which stored profile a cluster was made from (null: add-ons given in the request itself).
ALTER TABLE cluster ADD COLUMN profile_name varchar(63);
ALTER TABLE cluster ADD COLUMN profile_version varchar(64);
CREATE INDEX cluster_profile_idx ON cluster (profile_name, profile_version) WHERE profile_name IS NOT NULL;
