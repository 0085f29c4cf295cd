-- A verification link carries the password hash of the sign-up that sent it;
-- opening the link makes that password the account's (account pre-hijacking:
-- an earlier stranger's sign-up must not keep its password). Links issued
-- before this column have '' and are refused; signing up again sends a new one.
ALTER TABLE auth.tokens ADD COLUMN password_hash text NOT NULL DEFAULT '';
