-- Progress of projection rebuilds, one row per projection, so that
-- `shopctl projections list` and the admin API show a rebuild run by any
-- process. The lock itself is a session advisory lock, not a row.
CREATE TABLE projection_rebuilds (
    name       text PRIMARY KEY,
    progress   jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
