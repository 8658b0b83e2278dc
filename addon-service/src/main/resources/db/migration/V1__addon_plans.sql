-- The add-on plan of each cluster: it starts once the profile is known, the cluster pivoted and scaled.
CREATE TABLE addon_plan (
    cluster_id     varchar(64)  PRIMARY KEY,
    correlation_id varchar(64),
    -- the profile's add-ons as JSON; null until ClusterRequested was seen
    profile        text,
    pivoted        boolean      NOT NULL DEFAULT false,
    scaled         boolean      NOT NULL DEFAULT false,
    -- WAITING, INSTALLING, INSTALLED or FAILED
    state          varchar(16)  NOT NULL DEFAULT 'WAITING',
    updated_at     timestamptz  NOT NULL DEFAULT now()
);

-- One row per add-on of a plan, in install order.
CREATE TABLE addon_install (
    cluster_id  varchar(64)  NOT NULL REFERENCES addon_plan (cluster_id),
    position    integer      NOT NULL,
    name        varchar(253) NOT NULL,
    layer_rank  integer      NOT NULL,
    addon       text         NOT NULL,
    -- PENDING, SENT, INSTALLED or FAILED
    state       varchar(16)  NOT NULL,
    attempts    integer      NOT NULL DEFAULT 0,
    command_id  varchar(64)  UNIQUE,
    message     text,
    PRIMARY KEY (cluster_id, position)
);
