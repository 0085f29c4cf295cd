-- Staff invitations get their own link purpose (a "forgot password" request
-- must not void an invitation), and the staff audit reads the role events
-- of the outbox by type, newest first.
ALTER TABLE auth.tokens DROP CONSTRAINT IF EXISTS tokens_purpose_check;
ALTER TABLE auth.tokens ADD CONSTRAINT tokens_purpose_check CHECK (purpose IN ('verify', 'reset', 'invite'));
CREATE INDEX outbox_type_position ON auth.outbox (type, position);
-- The staff list and the admin count under the roles lock read only staff
-- accounts, a handful among every customer.
CREATE INDEX users_staff ON auth.users (email) WHERE roles && ARRAY['support', 'admin']::text[];
