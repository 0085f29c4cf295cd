CREATE SCHEMA IF NOT EXISTS auth;

CREATE TABLE auth.users (
    id             text PRIMARY KEY,
    email          text NOT NULL UNIQUE,
    name           text NOT NULL,
    password_hash  text NOT NULL,
    roles          text[] NOT NULL,
    email_verified boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

-- Single-use mail tokens, stored by the SHA-256 of their id only.
CREATE TABLE auth.tokens (
    id_hash    text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('verify', 'reset')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tokens_user_purpose ON auth.tokens (user_id, purpose);

-- The transactional outbox, read by the relay like the event store. Writers
-- hold a transaction-scoped advisory lock, so positions commit in order and
-- a reader following "position > checkpoint" never skips a late commit.
CREATE TABLE auth.outbox (
    position    bigserial PRIMARY KEY,
    id          text NOT NULL UNIQUE,
    stream      text NOT NULL,
    revision    bigint NOT NULL,
    type        text NOT NULL,
    data        jsonb NOT NULL,
    metadata    jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream, revision)
);
