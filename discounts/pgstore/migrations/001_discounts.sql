-- Discount codes. code is the normalised (upper-case) text; a Money is an
-- amount in minor units and its currency, '' for none.
CREATE TABLE discount_codes (
    code                  text PRIMARY KEY,
    kind                  text NOT NULL CHECK (kind IN ('percentage', 'fixed', 'free_shipping')),
    percent_off           int NOT NULL DEFAULT 0,
    amount_off            bigint NOT NULL DEFAULT 0,
    amount_currency       text NOT NULL DEFAULT '',
    valid_from            timestamptz,
    valid_until           timestamptz,
    min_subtotal          bigint NOT NULL DEFAULT 0,
    min_currency          text NOT NULL DEFAULT '',
    max_uses              int NOT NULL DEFAULT 0,
    max_uses_per_customer int NOT NULL DEFAULT 0,
    categories            text[] NOT NULL DEFAULT '{}',
    paused                boolean NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);

-- One row per order that took a use of a code. Reserve locks the code's row
-- (SELECT ... FOR UPDATE) before it counts these, so two checkouts never
-- take the last use together.
CREATE TABLE discount_reservations (
    order_id     text PRIMARY KEY,
    code         text NOT NULL REFERENCES discount_codes (code),
    customer_key text NOT NULL,
    state        text NOT NULL CHECK (state IN ('reserved', 'committed', 'released')),
    reserved_at  timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX discount_reservations_code ON discount_reservations (code, state);
CREATE INDEX discount_reservations_customer ON discount_reservations (code, customer_key) WHERE state <> 'released';
