-- Ordering read model. Rebuilds create shadow copies with a suffix
-- (CREATE TABLE orders_x (LIKE orders INCLUDING ALL)), so keep every
-- constraint inside these table definitions.
CREATE TABLE orders (
    order_id         text PRIMARY KEY,
    customer_id      text NOT NULL,
    email            text NOT NULL,
    status           text NOT NULL,
    total_amount     bigint NOT NULL,
    currency         text NOT NULL,
    item_count       int NOT NULL,
    shipping_address jsonb NOT NULL,
    payment_method   text NOT NULL,
    payment_last4    text NOT NULL DEFAULT '',
    payment_id       text NOT NULL DEFAULT '',
    carrier          text NOT NULL DEFAULT '',
    tracking_number  text NOT NULL DEFAULT '',
    cancel_reason    text NOT NULL DEFAULT '',
    refunded_amount  bigint,
    placed_at        timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint NOT NULL,
    position         bigint NOT NULL
);
CREATE INDEX orders_customer_idx ON orders (customer_id, placed_at DESC, order_id);
CREATE INDEX orders_status_idx ON orders (status, placed_at DESC, order_id);
CREATE INDEX orders_placed_idx ON orders (placed_at DESC, order_id);

CREATE TABLE order_lines (
    order_id    text NOT NULL,
    line_no     int NOT NULL,
    sku         text NOT NULL,
    name        text NOT NULL,
    category    text NOT NULL,
    quantity    int NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_amount bigint NOT NULL,
    currency    text NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE order_status_history (
    order_id text NOT NULL,
    revision bigint NOT NULL,
    status   text NOT NULL,
    reason   text NOT NULL DEFAULT '',
    at       timestamptz NOT NULL,
    PRIMARY KEY (order_id, revision)
);

-- One row per projector (and per shadow suffix), written in the same
-- transaction as the rows it accounts for.
CREATE TABLE orders_projection_checkpoints (
    projector  text PRIMARY KEY,
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
