-- Returns read model (staff list by status): one row per return with the
-- whole return as JSON, and one row per order with the revision of its
-- returns stream applied (the per-order guard of a redelivered event).
CREATE TABLE returns_by_order (
    order_id text PRIMARY KEY,
    version  bigint NOT NULL
);

CREATE TABLE returns_view (
    return_id    text PRIMARY KEY,
    order_id     text NOT NULL,
    status       text NOT NULL,
    requested_at timestamptz NOT NULL,
    doc          jsonb NOT NULL
);
CREATE INDEX returns_view_order_idx ON returns_view (order_id);
CREATE INDEX returns_view_status_idx ON returns_view (status, requested_at DESC);

-- Written in the same transaction as the rows it accounts for.
CREATE TABLE returns_projection_checkpoints (
    projector  text PRIMARY KEY,
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
