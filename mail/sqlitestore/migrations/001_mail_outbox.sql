-- The embedded shop's mail outbox (/dev/mail). seq never repeats
-- (AUTOINCREMENT), so message ids stay unique across restarts and Clear.
-- sent_at is Unix nanoseconds (UTC); headers are JSON TEXT.
CREATE TABLE mail_outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient TEXT NOT NULL,
    subject   TEXT NOT NULL,
    text      TEXT NOT NULL,
    html      TEXT NOT NULL,
    headers   TEXT NOT NULL,
    sent_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX mail_outbox_recipient ON mail_outbox (recipient);
