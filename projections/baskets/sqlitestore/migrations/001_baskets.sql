-- Basket read model in the embedded database: one row per basket, its lines
-- as JSON text, updated_at in unix nanoseconds (UTC).
CREATE TABLE baskets_views (
    basket_id  TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    lines      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Written in the same transaction as the views it accounts for.
CREATE TABLE baskets_checkpoints (
    projector  TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
