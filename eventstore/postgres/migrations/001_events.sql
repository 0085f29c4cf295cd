-- The event log. position is the global order; xid is the writing
-- transaction, which readers of $all compare with the oldest running
-- transaction so that they never pass an event that is still in flight.
CREATE TABLE events (
    position bigserial   PRIMARY KEY,
    stream   text        NOT NULL,
    revision bigint      NOT NULL CHECK (revision >= 0),
    id       uuid        NOT NULL,
    type     text        NOT NULL,
    data     jsonb       NOT NULL,
    metadata jsonb       NOT NULL DEFAULT '{}',
    time     timestamptz NOT NULL DEFAULT now(),
    xid      xid8        NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT events_stream_revision_key UNIQUE (stream, revision),
    CONSTRAINT events_id_key UNIQUE (id)
);
