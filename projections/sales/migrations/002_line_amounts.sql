-- Net and gross per order line from the order's pricing breakdown (after the
-- line's share of the discount); NULL for orders placed before pricing
-- existed, which count unit_amount × quantity as both. The row with sku = ''
-- carries a priced order's own totals (shipping included).
ALTER TABLE sales_order_lines ADD COLUMN gross_amount bigint, ADD COLUMN net_amount bigint;

-- A rebuild interrupted before this migration left shadow tables shaped like
-- the old ones: drop them with their progress, so the next rebuild starts over.
DROP TABLE IF EXISTS sales_streams_rebuild, sales_order_lines_rebuild, sales_days_rebuild, sales_items_rebuild, sales_baskets_rebuild;
DELETE FROM sales_projection_checkpoints WHERE projector = 'projections.sales_rebuild';
