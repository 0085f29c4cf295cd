-- Tax and shipping: what OrderPlaced records about the price (shipping
-- method, discount, VAT ID, guest flag, breakdown) as one JSON value (NULL
-- for orders placed before), and each line's tax class and weight.
ALTER TABLE orders ADD COLUMN pricing jsonb;
ALTER TABLE order_lines ADD COLUMN tax_class text NOT NULL DEFAULT '';
ALTER TABLE order_lines ADD COLUMN weight_grams int NOT NULL DEFAULT 0;
