-- Where the basket tracker (notifier.track-baskets) caught up to in the event
-- store's $all, written in the same transaction as the baskets it accounts for.
-- updated_at: Unix nanoseconds.
CREATE TABLE notifier_checkpoints (
    projector  TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
