-- Ordering read model in the embedded database. Times are unix nanoseconds
-- (UTC), money integer minor units, the address JSON text. A rebuild makes
-- shadow copies from this DDL (rebuild.CreateSQLiteShadows): keep every
-- constraint inside the table definitions and name each index after its
-- table.
CREATE TABLE orders_orders (
    order_id         TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL,
    email            TEXT NOT NULL,
    email_lower      TEXT NOT NULL,
    status           TEXT NOT NULL,
    total_amount     INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    item_count       INTEGER NOT NULL,
    shipping_address TEXT NOT NULL,
    payment_method   TEXT NOT NULL,
    payment_last4    TEXT NOT NULL DEFAULT '',
    payment_id       TEXT NOT NULL DEFAULT '',
    carrier          TEXT NOT NULL DEFAULT '',
    tracking_number  TEXT NOT NULL DEFAULT '',
    cancel_reason    TEXT NOT NULL DEFAULT '',
    refunded_amount  INTEGER,
    placed_at        INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    position         INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_orders_customer_idx ON orders_orders (customer_id, placed_at DESC, order_id);
CREATE INDEX orders_orders_status_idx ON orders_orders (status, placed_at DESC, order_id);
CREATE INDEX orders_orders_email_idx ON orders_orders (email_lower, placed_at DESC, order_id);
CREATE INDEX orders_orders_placed_idx ON orders_orders (placed_at DESC, order_id);

CREATE TABLE orders_lines (
    order_id    TEXT NOT NULL,
    line_no     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_amount INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    PRIMARY KEY (order_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE orders_history (
    order_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    status   TEXT NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    at       INTEGER NOT NULL,
    PRIMARY KEY (order_id, revision)
) STRICT, WITHOUT ROWID;

-- One row per projector (and per shadow suffix), written in the same
-- transaction as the rows it accounts for.
CREATE TABLE orders_checkpoints (
    projector  TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
