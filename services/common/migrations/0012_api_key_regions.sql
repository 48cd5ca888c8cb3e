-- Region scopes of API keys: NULL reads every region; otherwise the key reads only these
-- regions (its stations, alerts, reports, roll-ups and live updates). Admin keys act on the
-- whole network and are never scoped.
-- depends: 0010_station_figures

ALTER TABLE api_keys ADD COLUMN regions text[]
    CHECK (regions IS NULL OR (cardinality(regions) > 0 AND role <> 'admin'));
