-- Delivery log: one row per email (keyed by the triggering event id or a
-- derived key). A pending row with a lease in the future blocks other workers.
CREATE TABLE notifier_deliveries (
    key         text PRIMARY KEY,
    kind        text NOT NULL,
    recipient   text NOT NULL DEFAULT '',
    status      text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts    int  NOT NULL DEFAULT 1,
    last_error  text NOT NULL DEFAULT '',
    message_id  text NOT NULL DEFAULT '',
    lease_until timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX notifier_deliveries_failed ON notifier_deliveries (updated_at DESC) WHERE status = 'failed';

-- What OrderPlaced said, for the order's later emails.
CREATE TABLE notifier_orders (
    order_id   text PRIMARY KEY,
    data       jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Baskets tracked for abandoned-basket reminders.
CREATE TABLE notifier_baskets (
    basket_id      text PRIMARY KEY,
    data           jsonb NOT NULL,
    items          int NOT NULL DEFAULT 0,
    last_activity  timestamptz,
    cycle_id       text NOT NULL DEFAULT '',
    reminded_cycle text NOT NULL DEFAULT ''
);
CREATE INDEX notifier_baskets_due ON notifier_baskets (last_activity) WHERE items > 0 AND cycle_id <> reminded_cycle;
