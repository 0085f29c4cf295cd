-- The sandbox payment provider's own records in the embedded database: one
-- row per authorization or declined attempt, keyed by the provider's
-- reference; state is JSON text, times UTC text in platform/sqlite's
-- TimeLayout.
CREATE TABLE sandbox_authorizations (
    ref        TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
