-- Where the basket tracker (notifier.track-baskets) caught up to in the event
-- store's $all, written in the same transaction as the baskets it accounts for.
CREATE TABLE notifier_checkpoints (
    projector  text PRIMARY KEY,
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
