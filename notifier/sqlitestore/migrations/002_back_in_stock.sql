-- Customers waiting for a SKU to be available again (back-in-stock emails).
-- Keyed by SKU, so each variant has its own list. created_at: Unix nanoseconds.
CREATE TABLE notifier_back_in_stock (
    sku         TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (sku, customer_id)
);
