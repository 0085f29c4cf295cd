-- Customers waiting for a SKU to be available again (back-in-stock emails).
-- Keyed by SKU, so each variant has its own list.
CREATE TABLE notifier_back_in_stock (
    sku         text NOT NULL,
    customer_id text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (sku, customer_id)
);
