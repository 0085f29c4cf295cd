-- The history of every change of units on hand, one row per movement. seq
-- orders the rows (newest first = highest seq); id is derived from the SKU
-- and the movement's reference, so recording it twice keeps one row.
CREATE TABLE catalog_stock_movements (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    sku           TEXT NOT NULL,
    delta         INTEGER NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    reason        TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL,
    ref           TEXT NOT NULL,
    on_hand_after INTEGER,
    at            INTEGER NOT NULL
);
CREATE INDEX catalog_stock_movements_sku ON catalog_stock_movements (sku, seq DESC);
