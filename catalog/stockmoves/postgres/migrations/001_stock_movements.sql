CREATE SCHEMA IF NOT EXISTS catalog;

-- The history of every change of units on hand, one row per movement, in
-- the same database as catalog.stock (catalog/pgstock records a movement in
-- the transaction that changes the stock). seq orders the rows (newest first
-- = highest seq); id derives from the SKU and the movement's reference, so
-- recording it twice keeps one row.
CREATE TABLE catalog.stock_movements (
    seq           bigserial PRIMARY KEY,
    id            uuid NOT NULL UNIQUE,
    sku           text NOT NULL,
    delta         integer NOT NULL,
    quantity      integer NOT NULL CHECK (quantity > 0),
    reason        text NOT NULL,
    note          text NOT NULL DEFAULT '',
    actor         text NOT NULL,
    ref           text NOT NULL,
    on_hand_after integer,
    at            timestamptz NOT NULL
);
CREATE INDEX stock_movements_sku ON catalog.stock_movements (sku, seq DESC);
