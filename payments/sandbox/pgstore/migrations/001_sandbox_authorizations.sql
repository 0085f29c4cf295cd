-- The sandbox payment provider's own records (server mode): one row per
-- authorization or declined attempt, keyed by the provider's reference.
CREATE TABLE IF NOT EXISTS sandbox_authorizations (
    ref        text PRIMARY KEY,
    state      jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
