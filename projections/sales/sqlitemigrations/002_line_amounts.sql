-- See migrations/002_line_amounts.sql: net and gross per order line from the
-- order's pricing breakdown; NULL for orders placed before pricing existed.
ALTER TABLE sales_order_lines ADD COLUMN gross_amount INTEGER;
ALTER TABLE sales_order_lines ADD COLUMN net_amount INTEGER;

-- Shadows of a rebuild interrupted before this migration have the old shape:
-- drop them with their progress, so the next rebuild starts over.
DROP TABLE IF EXISTS sales_streams_rebuild;
DROP TABLE IF EXISTS sales_order_lines_rebuild;
DROP TABLE IF EXISTS sales_days_rebuild;
DROP TABLE IF EXISTS sales_items_rebuild;
DROP TABLE IF EXISTS sales_baskets_rebuild;
DELETE FROM sales_checkpoints WHERE projector = 'projections.sales_rebuild';
