-- Product images uploaded by staff, re-encoded (no metadata), immutable.
CREATE TABLE catalog_images (
    name         TEXT PRIMARY KEY,
    sku          TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
