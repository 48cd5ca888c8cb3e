-- API keys (stored hashed) and what ops did to alerts through the API.
-- depends: 0003_monitors

CREATE TABLE api_keys (
    id             text PRIMARY KEY,
    -- SHA-256 (hex) of the key's secret part; secrets are 256-bit random, so no slow hash is needed.
    key_hash       text NOT NULL,
    role           text NOT NULL CHECK (role IN ('public', 'partner', 'analyst', 'admin')),
    org            text NOT NULL,
    -- Scope options: whether a partner key may read incident descriptions.
    incident_texts boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz
);

-- Every acknowledgement and resolution, with who (key and org) and when; the alerts row keeps its
-- state, this table keeps the history.
CREATE TABLE alert_actions (
    id         bigserial PRIMARY KEY,
    alert_id   text NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    action     text NOT NULL CHECK (action IN ('acknowledge', 'resolve')),
    key_id     text NOT NULL REFERENCES api_keys (id),
    org        text NOT NULL,
    note       text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_actions_alert_idx ON alert_actions (alert_id, at);

-- Keyset pages of stations ordered by turnout or open alerts.
CREATE INDEX station_stats_turnout_idx ON station_stats (turnout_pct DESC, station_id);
CREATE INDEX station_stats_open_alerts_idx ON station_stats (open_alerts DESC, station_id);
