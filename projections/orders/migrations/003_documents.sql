-- The order's invoice and credit notes (orders.Documents) as one JSON value.
-- (003: 002 is left to the tax breakdown.)
ALTER TABLE orders ADD COLUMN documents jsonb NOT NULL DEFAULT '{}';
