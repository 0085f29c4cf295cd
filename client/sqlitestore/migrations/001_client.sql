-- Profiles and preferences are separate rows, as in every client store, so
-- saving one never rewrites the other. Times are Unix nanoseconds (UTC); the
-- profile and preferences bodies are JSON TEXT in the domain's wire shape.
CREATE TABLE client_profiles (
    user_id    TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    profile    TEXT NOT NULL, -- domain.ProfileData; '{}' for a tombstone
    erased     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE client_preferences (
    user_id     TEXT PRIMARY KEY,
    preferences TEXT NOT NULL -- domain.PreferencesData
) STRICT;
