-- Sales analytics read model (projections/sales) in the embedded database:
-- the tables of migrations/001_sales.sql for SQLite. Days are 'YYYY-MM-DD'
-- text (sorts as dates); money in integer minor units.
CREATE TABLE sales_streams (
    stream  TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);

CREATE TABLE sales_order_lines (
    order_id    TEXT NOT NULL,
    line_no     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    quantity    INTEGER NOT NULL,
    unit_amount INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE sales_days (
    day      TEXT NOT NULL,
    currency TEXT NOT NULL,
    orders   INTEGER NOT NULL DEFAULT 0,
    gross    INTEGER NOT NULL DEFAULT 0,
    net      INTEGER NOT NULL DEFAULT 0,
    refunds  INTEGER NOT NULL DEFAULT 0,
    refunded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, currency)
);

-- One row per day and product, or category (sku = '').
CREATE TABLE sales_items (
    day      TEXT NOT NULL,
    sku      TEXT NOT NULL,
    category TEXT NOT NULL,
    currency TEXT NOT NULL,
    name     TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL DEFAULT 0,
    orders   INTEGER NOT NULL DEFAULT 0,
    gross    INTEGER NOT NULL DEFAULT 0,
    net      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, sku, category, currency)
);

CREATE TABLE sales_baskets (
    basket_id   TEXT NOT NULL,
    day         TEXT NOT NULL,
    filled      INTEGER NOT NULL DEFAULT 0,
    checked_out INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (basket_id, day)
);
CREATE INDEX sales_baskets_day_idx ON sales_baskets (day);

CREATE TABLE sales_checkpoints (
    projector  TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
