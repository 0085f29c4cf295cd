-- Gapless document numbers in the embedded database. Assignments run on the
-- database's one writer (BEGIN IMMEDIATE), so the counter and the binding
-- of the number to its key change together or not at all.
CREATE TABLE invoices_counters (
    series TEXT PRIMARY KEY,
    last   INTEGER NOT NULL CHECK (last >= 0)
) STRICT;

CREATE TABLE invoices_numbers (
    series      TEXT NOT NULL REFERENCES invoices_counters (series),
    key         TEXT NOT NULL,
    number      INTEGER NOT NULL CHECK (number > 0),
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (series, key),
    UNIQUE (series, number)
) STRICT, WITHOUT ROWID;
