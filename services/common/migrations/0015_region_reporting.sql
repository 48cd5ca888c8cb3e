-- A region's roll-up says which registered voters its turnout and home-voting shares are over:
-- those of the stations that reported turnout (see RegionStats in docs/api.md).
-- depends: 0014_alert_texts

ALTER TABLE region_stats
    ADD COLUMN registered_voters_reporting bigint NOT NULL DEFAULT 0,
    ADD COLUMN home_voting_applications    bigint NOT NULL DEFAULT 0;
