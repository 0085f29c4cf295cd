-- A message sent with an idempotency key keeps it: a second send with the
-- same key answers the first's id and stores nothing (mail.Message).
ALTER TABLE mail_outbox ADD COLUMN idem TEXT;
CREATE UNIQUE INDEX mail_outbox_idem ON mail_outbox (idem) WHERE idem IS NOT NULL;
