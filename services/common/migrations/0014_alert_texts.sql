-- An alert's text as message-catalog keys and parameters ([{"key": ..., "params": {...}}]), so
-- readers get it in their own language (services/common/catalog); alerts written before keep '[]'
-- and are read by their English `message`.
-- depends: 0013_region_timezones

ALTER TABLE alerts ADD COLUMN texts jsonb NOT NULL DEFAULT '[]';
