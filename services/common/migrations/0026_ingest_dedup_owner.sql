-- Which ingest process holds a claim: the key of the advisory lock its dedup writer holds for
-- as long as its PostgreSQL session lives. A claim whose owner no longer holds that lock (the
-- process died, or PostgreSQL ended its session) is taken over at once, not after the claim
-- TTL. NULL (claims made before this column): the claim TTL alone.
-- depends: 0025_verification

ALTER TABLE ingest_dedup ADD COLUMN owner bigint;
