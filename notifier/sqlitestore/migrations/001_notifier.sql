-- Times are Unix nanoseconds (UTC); order and basket bodies are JSON TEXT.

-- Delivery log: one row per email (keyed by the triggering event id or a
-- derived key). A pending row with a lease in the future blocks other workers.
CREATE TABLE notifier_deliveries (
    key         TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    recipient   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 1,
    last_error  TEXT NOT NULL DEFAULT '',
    message_id  TEXT NOT NULL DEFAULT '',
    lease_until INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX notifier_deliveries_failed ON notifier_deliveries (updated_at DESC) WHERE status = 'failed';

-- What OrderPlaced said, for the order's later emails.
CREATE TABLE notifier_orders (
    order_id TEXT PRIMARY KEY,
    data     TEXT NOT NULL
) STRICT;

-- Baskets tracked for abandoned-basket reminders.
CREATE TABLE notifier_baskets (
    basket_id      TEXT PRIMARY KEY,
    data           TEXT NOT NULL,
    items          INTEGER NOT NULL DEFAULT 0,
    last_activity  INTEGER,
    cycle_id       TEXT NOT NULL DEFAULT '',
    reminded_cycle TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX notifier_baskets_due ON notifier_baskets (last_activity) WHERE items > 0 AND cycle_id <> reminded_cycle;
