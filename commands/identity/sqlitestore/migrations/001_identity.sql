-- Times are Unix nanoseconds (UTC); JSON is TEXT.
CREATE TABLE identity_users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    roles          TEXT NOT NULL, -- JSON array
    email_verified INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- Single-use mail tokens, stored by the SHA-256 of their id only.
CREATE TABLE identity_tokens (
    id_hash       TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    purpose       TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    expires_at    INTEGER NOT NULL,
    password_hash TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX identity_tokens_user_purpose ON identity_tokens (user_id, purpose);

-- The transactional outbox, read by the relay like the event store. SQLite
-- has one writer at a time, so positions commit in order and a reader
-- following "position > checkpoint" never skips a late commit.
CREATE TABLE identity_outbox (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    stream      TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (stream, revision)
) STRICT;

-- Refresh-token sessions: one row per token (by hash) and one per family
-- (one login). A used token is kept until its family would have expired, to
-- catch its reuse.
CREATE TABLE identity_session_families (
    family_id  TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL, -- sliding: the newest token's end
    ends_at    INTEGER NOT NULL  -- absolute
) STRICT;
CREATE INDEX identity_session_families_user ON identity_session_families (user_id);
CREATE INDEX identity_session_families_expiry ON identity_session_families (expires_at);

CREATE TABLE identity_session_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX identity_session_tokens_expiry ON identity_session_tokens (expires_at);
