-- Order history for recommendations in the embedded database: placed orders
-- (lines as JSON text, placed_at in unix nanoseconds UTC) and payment marks,
-- which may arrive before their order.
CREATE TABLE recommendations_orders (
    order_id    TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    lines       TEXT NOT NULL,
    placed_at   INTEGER NOT NULL,
    position    INTEGER NOT NULL
) STRICT;
CREATE INDEX recommendations_orders_customer_idx ON recommendations_orders (customer_id, placed_at DESC, order_id);

CREATE TABLE recommendations_paid (
    order_id TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) STRICT;

-- 'position': the highest event applied; 'checkpoint': the last whole batch.
-- Written in the same transaction as the rows they account for.
CREATE TABLE recommendations_state (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) STRICT;
