-- Products with their stock counters, the holds of orders in flight and the
-- reservations. Times are Unix nanoseconds (UTC); money is integer minor
-- units; attributes, images, lines and failed SKUs are JSON TEXT.
CREATE TABLE catalog_products (
    sku          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL, -- domain.NameKey(name), the name sort
    description  TEXT NOT NULL,
    category     TEXT NOT NULL,
    attributes   TEXT NOT NULL,
    price_amount INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    images       TEXT NOT NULL,
    search_text  TEXT NOT NULL, -- domain.SearchText(product): terms match as substrings
    on_hand      INTEGER NOT NULL,
    reserved     INTEGER NOT NULL DEFAULT 0,
    archived     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    CHECK (reserved >= 0 AND reserved <= on_hand)
) STRICT;
CREATE INDEX catalog_products_newest ON catalog_products (archived, created_at DESC, sku);
CREATE INDEX catalog_products_price ON catalog_products (archived, price_amount, sku);
CREATE INDEX catalog_products_category ON catalog_products (category, archived);

-- One row per order and SKU it holds: applying a line twice is a no-op.
CREATE TABLE catalog_holds (
    order_id TEXT NOT NULL,
    sku      TEXT NOT NULL REFERENCES catalog_products (sku),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, sku)
) STRICT;

-- One reservation per order: a redelivered command finds the outcome.
CREATE TABLE catalog_reservations (
    order_id    TEXT PRIMARY KEY,
    lines       TEXT NOT NULL, -- [{sku, quantity}] sorted by SKU
    status      TEXT NOT NULL CHECK (status IN ('pending', 'reserved', 'failed', 'released', 'committed')),
    reason      TEXT NOT NULL DEFAULT '',
    failed_skus TEXT NOT NULL DEFAULT '[]',
    updated_at  INTEGER NOT NULL
) STRICT;
