-- Tax and shipping: what OrderPlaced records about the price (shipping
-- method, discount, VAT ID, guest flag, breakdown) as JSON text (NULL for
-- orders placed before), and each line's tax class and weight.
ALTER TABLE orders_orders ADD COLUMN pricing TEXT;
ALTER TABLE orders_lines ADD COLUMN tax_class TEXT NOT NULL DEFAULT '';
ALTER TABLE orders_lines ADD COLUMN weight_grams INTEGER NOT NULL DEFAULT 0;
