-- Live election forensics per region ('' = national), written by the aggregator's forensics agent.
-- depends: 0006_api_keys

CREATE TABLE forensics (
    region_id   text PRIMARY KEY,
    computed_at timestamptz NOT NULL,
    -- Final protocols counted in the figures.
    stations    integer NOT NULL,
    -- Leader, turnout and leader share, integer-percentage tests (observed, expected, z, p).
    summary     jsonb NOT NULL,
    -- Station-weighted heatmap: counts[turnout bin][leader-share bin], both axes 0..1.
    fingerprint jsonb NOT NULL
);
