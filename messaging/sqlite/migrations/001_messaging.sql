-- Dead letters and processed-event marks of the embedded shop. Times are UTC
-- text in platform/sqlite's TimeLayout, which sorts as time.
CREATE TABLE messaging_dead_letters (
    id          TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL,
    handler     TEXT NOT NULL,
    topic       TEXT NOT NULL,
    redrive_to  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    payload     BLOB NOT NULL,
    metadata    TEXT NOT NULL,
    failed_at   TEXT NOT NULL
) STRICT;
CREATE INDEX messaging_dead_letters_handler ON messaging_dead_letters (handler, failed_at, id);
CREATE INDEX messaging_dead_letters_failed ON messaging_dead_letters (failed_at, id);

CREATE TABLE messaging_processed (
    handler      TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (handler, event_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX messaging_processed_at ON messaging_processed (processed_at);
