-- Returns read model in the embedded database: one row per return (the
-- whole return as JSON), one per order with its returns stream's applied
-- revision. Times are unix nanoseconds (UTC).
CREATE TABLE returns_by_order (
    order_id TEXT PRIMARY KEY,
    version  INTEGER NOT NULL
) STRICT;

CREATE TABLE returns_view (
    return_id    TEXT PRIMARY KEY,
    order_id     TEXT NOT NULL,
    status       TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    doc          TEXT NOT NULL
) STRICT;
CREATE INDEX returns_view_order_idx ON returns_view (order_id);
CREATE INDEX returns_view_status_idx ON returns_view (status, requested_at);

-- Written in the same transaction as the rows it accounts for.
CREATE TABLE returns_checkpoints (
    projector  TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
