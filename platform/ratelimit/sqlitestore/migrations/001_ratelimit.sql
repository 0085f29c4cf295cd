-- One fixed window per hashed key; reset_at is Unix nanoseconds (UTC).
CREATE TABLE ratelimit_windows (
    key      TEXT PRIMARY KEY,
    count    INTEGER NOT NULL,
    reset_at INTEGER NOT NULL
) STRICT;
CREATE INDEX ratelimit_windows_reset ON ratelimit_windows (reset_at);
