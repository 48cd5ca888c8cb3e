-- Monitors and the stations they are assigned to. Identities are sensitive: only the
-- analyst role may read name and phone through the API; tokens are stored as hashes only.
-- depends: 0002_read_model

CREATE TABLE monitors (
    id           text PRIMARY KEY,
    display_name text NOT NULL,
    -- E.164 phone the monitor sends SMS from; unique so a sender maps to one monitor.
    phone        text UNIQUE,
    -- SHA-256 (hex) of the bearer token; tokens are 256-bit random, so no slow hash is needed.
    token_hash   text NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz
);

CREATE TABLE monitor_stations (
    monitor_id text NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    station_id text NOT NULL REFERENCES stations (id),
    PRIMARY KEY (monitor_id, station_id)
);
CREATE INDEX monitor_stations_station_idx ON monitor_stations (station_id);
