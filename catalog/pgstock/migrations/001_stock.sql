CREATE SCHEMA IF NOT EXISTS catalog;

-- Units on hand and reserved per SKU with a product. The checks are the
-- last line of defence: every write is already guarded. archived mirrors
-- the product document (MongoDB decides; archiving is one-way, and a read
-- that finds the mirror behind repairs it) so a reservation needs no
-- MongoDB read.
CREATE TABLE catalog.stock (
    sku      text PRIMARY KEY,
    on_hand  integer NOT NULL CHECK (on_hand BETWEEN 0 AND 1000000),
    reserved integer NOT NULL CHECK (reserved >= 0 AND reserved <= on_hand),
    archived boolean NOT NULL DEFAULT false
);

-- One row per order and SKU it holds: applying a line twice cannot hold twice.
CREATE TABLE catalog.stock_holds (
    order_id text NOT NULL,
    sku      text NOT NULL REFERENCES catalog.stock (sku),
    quantity integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, sku)
);

-- One row per order: the outcome of its reservation.
CREATE TABLE catalog.stock_reservations (
    order_id    text PRIMARY KEY,
    lines       jsonb NOT NULL,
    status      text NOT NULL CHECK (status IN ('pending', 'reserved', 'failed', 'released', 'committed')),
    reason      text NOT NULL DEFAULT '',
    failed_skus text[] NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One-time hand-overs from the MongoDB stock store already done.
CREATE TABLE catalog.stock_imports (
    what text PRIMARY KEY,
    at   timestamptz NOT NULL DEFAULT now()
);
