CREATE TABLE relay_checkpoints (
    name       text PRIMARY KEY,
    position   bigint NOT NULL CHECK (position >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
