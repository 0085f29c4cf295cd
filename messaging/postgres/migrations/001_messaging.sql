CREATE TABLE messaging_dead_letters (
    id          text PRIMARY KEY,
    message_id  text NOT NULL,
    handler     text NOT NULL,
    topic       text NOT NULL,
    redrive_to  text NOT NULL,
    reason      text NOT NULL,
    payload     bytea NOT NULL,
    metadata    jsonb NOT NULL,
    failed_at   timestamptz NOT NULL
);
CREATE INDEX messaging_dead_letters_handler ON messaging_dead_letters (handler, failed_at, id);
CREATE INDEX messaging_dead_letters_failed ON messaging_dead_letters (failed_at, id);

CREATE TABLE messaging_processed (
    handler      text NOT NULL,
    event_id     text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (handler, event_id)
);
CREATE INDEX messaging_processed_at ON messaging_processed (processed_at);
