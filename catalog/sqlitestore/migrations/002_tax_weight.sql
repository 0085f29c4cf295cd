-- Tax class and weight (tax and shipping): products stored before read as
-- standard and weightless.
ALTER TABLE catalog_products ADD COLUMN tax_class TEXT NOT NULL DEFAULT 'standard';
ALTER TABLE catalog_products ADD COLUMN weight_grams INTEGER NOT NULL DEFAULT 0;
