-- The relay's checkpoints and leases in the embedded database. Times are UTC
-- text in platform/sqlite's TimeLayout, which compares as time.
CREATE TABLE relay_checkpoints (
    name       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL CHECK (position >= 0),
    updated_at TEXT NOT NULL
) STRICT;

-- One row per held lease: who holds it and until when, unless renewed.
CREATE TABLE relay_leases (
    name       TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
