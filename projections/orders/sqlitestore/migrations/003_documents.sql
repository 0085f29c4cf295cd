-- The order's invoice and credit notes (orders.Documents) as JSON text.
-- (003: 002 is left to the tax breakdown.)
ALTER TABLE orders_orders ADD COLUMN documents TEXT NOT NULL DEFAULT '{}';
