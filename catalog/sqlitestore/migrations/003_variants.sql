-- Variants: every SKU belongs to a product family (the SKU it started
-- from) and carries its option values ([{"Name","Value"}], JSON). Rows
-- stored before are their own family; '' (a row written without the
-- column) reads the same way.
ALTER TABLE catalog_products ADD COLUMN product_id TEXT NOT NULL DEFAULT '';
ALTER TABLE catalog_products ADD COLUMN options TEXT NOT NULL DEFAULT '[]';
UPDATE catalog_products SET product_id = sku WHERE product_id = '';
CREATE INDEX catalog_products_family ON catalog_products (product_id);
