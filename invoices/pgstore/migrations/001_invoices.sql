-- Gapless document numbers. A counter row per series is the lock that
-- serialises assignments; each number is bound to its key in the same
-- transaction that advances the counter, so a number is never lost or
-- handed out twice.
CREATE TABLE invoice_counters (
    series text PRIMARY KEY,
    last   bigint NOT NULL CHECK (last >= 0)
);

CREATE TABLE invoice_numbers (
    series      text NOT NULL REFERENCES invoice_counters (series),
    key         text NOT NULL,
    number      bigint NOT NULL CHECK (number > 0),
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (series, key),
    UNIQUE (series, number)
);
