-- Staff invitations get their own link purpose (a "forgot password" request
-- must not void an invitation). SQLite cannot change a CHECK constraint, so
-- the token table is rebuilt; nothing references it.
CREATE TABLE identity_tokens_new (
    id_hash       TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES identity_users (id) ON DELETE CASCADE,
    purpose       TEXT NOT NULL CHECK (purpose IN ('verify', 'reset', 'invite')),
    expires_at    INTEGER NOT NULL,
    password_hash TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO identity_tokens_new (id_hash, user_id, purpose, expires_at, password_hash)
    SELECT id_hash, user_id, purpose, expires_at, password_hash FROM identity_tokens;
DROP TABLE identity_tokens;
ALTER TABLE identity_tokens_new RENAME TO identity_tokens;
CREATE INDEX identity_tokens_user_purpose ON identity_tokens (user_id, purpose);

-- The staff audit reads the role events of the outbox by type, newest first.
CREATE INDEX identity_outbox_type_position ON identity_outbox (type, position);
