-- Shared by every service (location db/messaging): the transactional outbox and the inbox of processed events.

-- Transactional outbox: written with the change it reports, published to Kafka by the relay.
CREATE TABLE outbox_event (
    id             bigserial     PRIMARY KEY,
    event_id       uuid          NOT NULL UNIQUE,
    event_type     varchar(128)  NOT NULL,
    topic          varchar(128)  NOT NULL,
    record_key     varchar(255)  NOT NULL,
    source         varchar(255)  NOT NULL,
    event_time     timestamptz   NOT NULL,
    correlation_id varchar(64)   NOT NULL,
    payload        text          NOT NULL,
    created_at     timestamptz   NOT NULL,
    published_at   timestamptz,
    -- set when a row can never be published (e.g. unreadable); it is kept, logged and counted, not dropped
    failure        text
);

CREATE INDEX outbox_event_pending_idx ON outbox_event (id) WHERE published_at IS NULL AND failure IS NULL;

-- Inbox: the events a consumer group has handled, so a redelivered event changes nothing.
CREATE TABLE processed_event (
    consumer_group varchar(128) NOT NULL,
    event_id       varchar(64)  NOT NULL,
    processed_at   timestamptz  NOT NULL DEFAULT now(),
    -- set when the event went to the dead-letter topic instead of being handled
    dead_letter_reason text,
    PRIMARY KEY (consumer_group, event_id)
);

CREATE INDEX processed_event_processed_at_idx ON processed_event (processed_at);
