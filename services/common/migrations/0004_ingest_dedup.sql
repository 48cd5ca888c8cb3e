-- Ingest's duplicate window: report ids claimed while being written to Kafka, and accepted
-- once Kafka acknowledged them. Shared by every ingest replica; survives restarts.
-- depends: 0003_monitors

CREATE TABLE ingest_dedup (
    id          text PRIMARY KEY,
    -- Set when a replica starts writing the report; a claim older than the claim TTL without
    -- accepted_at was left by a crashed replica and may be taken over.
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    -- Set only after Kafka acknowledged the report (acks=all).
    accepted_at timestamptz
);

-- Purging rows older than the window (INGEST_DEDUP_WINDOW_HOURS).
CREATE INDEX ingest_dedup_claimed_idx ON ingest_dedup (claimed_at);
