-- The event log of the embedded shop. position is the global order, handed
-- out by the single writer inside the append's transaction (see the package
-- doc); times are UTC text in platform/sqlite's TimeLayout; data and metadata
-- are JSON text.
CREATE TABLE eventstore_events (
    position INTEGER PRIMARY KEY CHECK (position > 0),
    stream   TEXT    NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 0),
    id       TEXT    NOT NULL UNIQUE,
    type     TEXT    NOT NULL,
    data     TEXT    NOT NULL,
    metadata TEXT    NOT NULL DEFAULT '{}',
    time     TEXT    NOT NULL,
    UNIQUE (stream, revision)
) STRICT;
