-- Sales analytics read model (projections/sales). Figures are sums per day
-- in the shop's time zone; sales_streams guards every change by its stream's
-- revision, so a re-delivered event adds nothing twice.
CREATE TABLE sales_streams (
    stream  text PRIMARY KEY,
    version bigint NOT NULL
);

-- Lines of placed orders, kept until (and after) the order is paid: OrderPaid
-- books them per product and category.
CREATE TABLE sales_order_lines (
    order_id    text NOT NULL,
    line_no     int NOT NULL,
    sku         text NOT NULL,
    name        text NOT NULL,
    category    text NOT NULL,
    quantity    int NOT NULL,
    unit_amount bigint NOT NULL,
    currency    text NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE sales_days (
    day      date NOT NULL,
    currency text NOT NULL,
    orders   bigint NOT NULL DEFAULT 0,
    gross    bigint NOT NULL DEFAULT 0,
    net      bigint NOT NULL DEFAULT 0,
    refunds  bigint NOT NULL DEFAULT 0,
    refunded bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, currency)
);

-- One row per day and product (sku = '') or category.
CREATE TABLE sales_items (
    day      date NOT NULL,
    sku      text NOT NULL,
    category text NOT NULL,
    currency text NOT NULL,
    name     text NOT NULL DEFAULT '',
    quantity bigint NOT NULL DEFAULT 0,
    orders   bigint NOT NULL DEFAULT 0,
    gross    bigint NOT NULL DEFAULT 0,
    net      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, sku, category, currency)
);

CREATE TABLE sales_baskets (
    basket_id   text NOT NULL,
    day         date NOT NULL,
    filled      boolean NOT NULL DEFAULT false,
    checked_out boolean NOT NULL DEFAULT false,
    PRIMARY KEY (basket_id, day)
);
CREATE INDEX sales_baskets_day_idx ON sales_baskets (day);

CREATE TABLE sales_projection_checkpoints (
    projector  text PRIMARY KEY,
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
