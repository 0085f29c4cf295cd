-- Discount codes. code is the normalised (upper-case) text; a Money is an
-- amount in minor units and its currency, '' for none; times are unix
-- nanoseconds (UTC), NULL for an open side of the window; categories a
-- JSON array.
CREATE TABLE discounts_codes (
    code                  TEXT PRIMARY KEY,
    kind                  TEXT NOT NULL CHECK (kind IN ('percentage', 'fixed', 'free_shipping')),
    percent_off           INTEGER NOT NULL DEFAULT 0,
    amount_off            INTEGER NOT NULL DEFAULT 0,
    amount_currency       TEXT NOT NULL DEFAULT '',
    valid_from            INTEGER,
    valid_until           INTEGER,
    min_subtotal          INTEGER NOT NULL DEFAULT 0,
    min_currency          TEXT NOT NULL DEFAULT '',
    max_uses              INTEGER NOT NULL DEFAULT 0,
    max_uses_per_customer INTEGER NOT NULL DEFAULT 0,
    categories            TEXT NOT NULL DEFAULT '[]',
    paused                INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);

-- One row per order that took a use of a code. Reserve reads the counts and
-- writes the use in one write transaction (BEGIN IMMEDIATE: one writer at
-- a time), so two checkouts never take the last use together.
CREATE TABLE discounts_reservations (
    order_id     TEXT PRIMARY KEY,
    code         TEXT NOT NULL REFERENCES discounts_codes (code),
    customer_key TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('reserved', 'committed', 'released')),
    reserved_at  INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX discounts_reservations_code ON discounts_reservations (code, state);
CREATE INDEX discounts_reservations_customer ON discounts_reservations (code, customer_key) WHERE state <> 'released';
