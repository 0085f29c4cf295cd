-- The discount code in the basket (JSON of pricing.DiscountDTO; '' = none).
ALTER TABLE baskets_views ADD COLUMN discount TEXT NOT NULL DEFAULT '';

-- A rebuild interrupted before this migration left a shadow table without
-- the column: drop it and its checkpoint, so the next rebuild starts over
-- from a copy of the new schema.
DROP TABLE IF EXISTS baskets_views_rebuild;
DELETE FROM baskets_checkpoints WHERE projector LIKE '%\_rebuild' ESCAPE '\';
