-- Payments ledger read model (support): one summary row per payment and one
-- ledger row per payment event, keyed by the event's stream revision so a
-- redelivered event cannot be booked twice.
CREATE TABLE payments (
    payment_id  text PRIMARY KEY,
    order_id    text NOT NULL,
    customer_id text NOT NULL DEFAULT '',
    method      text NOT NULL DEFAULT '',
    last4       text NOT NULL DEFAULT '',
    status      text NOT NULL,
    amount      bigint NOT NULL DEFAULT 0,
    currency    text NOT NULL DEFAULT '',
    captured    bigint NOT NULL DEFAULT 0,
    refunded    bigint NOT NULL DEFAULT 0,
    fail_code   text NOT NULL DEFAULT '',
    reason      text NOT NULL DEFAULT '',
    gateway_ref text NOT NULL DEFAULT '',
    version     bigint NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX payments_order_idx ON payments (order_id);

CREATE TABLE payment_ledger (
    payment_id  text NOT NULL,
    revision    bigint NOT NULL,
    position    bigint NOT NULL,
    kind        text NOT NULL,
    amount      bigint NOT NULL DEFAULT 0,
    currency    text NOT NULL DEFAULT '',
    code        text NOT NULL DEFAULT '',
    reason      text NOT NULL DEFAULT '',
    gateway_ref text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL,
    PRIMARY KEY (payment_id, revision)
);

CREATE TABLE payments_projection_checkpoints (
    projector  text PRIMARY KEY,
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
