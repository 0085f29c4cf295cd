-- The back office's customer search (client.CustomerQuery): each query word
-- must begin one of a profile's terms (client.SearchTerms: the lower-case
-- words of its name and its whole email), answered by a range scan of the
-- terms' primary key (term >= w AND term < w || U+10FFFF). Profiles stored
-- before this migration get their terms when the store opens (terms_indexed).
CREATE TABLE client_profile_terms (
    term    TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (term, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX client_profile_terms_user ON client_profile_terms (user_id);

ALTER TABLE client_profiles ADD COLUMN terms_indexed INTEGER NOT NULL DEFAULT 0;
-- Results come newest first; an empty query pages through this index.
CREATE INDEX client_profiles_newest ON client_profiles (erased, created_at DESC, user_id);

-- Every erasure of a customer's data and who asked for it (the customer's
-- own id or an admin's); it outlives the profile it erased.
CREATE TABLE client_erasures (
    id        INTEGER PRIMARY KEY,
    user_id   TEXT NOT NULL,
    erased_by TEXT NOT NULL,
    erased_at INTEGER NOT NULL
) STRICT;
CREATE INDEX client_erasures_user ON client_erasures (user_id, id);
