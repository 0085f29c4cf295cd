-- Payments ledger read model in the embedded database: one summary row per
-- payment and one ledger row per payment event, keyed by the event's stream
-- revision. Times are unix nanoseconds (UTC), money integer minor units.
CREATE TABLE payments_payments (
    payment_id  TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL,
    customer_id TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL DEFAULT '',
    last4       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    amount      INTEGER NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL DEFAULT '',
    captured    INTEGER NOT NULL DEFAULT 0,
    refunded    INTEGER NOT NULL DEFAULT 0,
    fail_code   TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    gateway_ref TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX payments_payments_order_idx ON payments_payments (order_id, payment_id);

CREATE TABLE payments_ledger (
    payment_id  TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    amount      INTEGER NOT NULL DEFAULT 0,
    currency    TEXT NOT NULL DEFAULT '',
    code        TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    gateway_ref TEXT NOT NULL DEFAULT '',
    at          INTEGER NOT NULL,
    PRIMARY KEY (payment_id, revision)
) STRICT, WITHOUT ROWID;

-- Written in the same transaction as the rows it accounts for.
CREATE TABLE payments_checkpoints (
    projector  TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
