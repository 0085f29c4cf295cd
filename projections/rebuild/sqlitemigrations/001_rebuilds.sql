-- Progress of projection rebuilds in the embedded database, one row per
-- projection (Progress as JSON text), so that a restarted shop shows how the
-- last rebuild ended and resumes an interrupted one from its shadow.
CREATE TABLE rebuild_progress (
    name       TEXT PRIMARY KEY,
    progress   TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
