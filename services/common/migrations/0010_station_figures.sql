-- The station agent's own figures (an encoded StationStats, before the region agent adds silence
-- and region-level alerts). The region agent rebuilds its view of every station from them after a
-- restart or a rebalance, instead of keeping a changelogged copy of its own.
-- depends: 0008_forensics

ALTER TABLE station_stats ADD COLUMN figures bytea;
