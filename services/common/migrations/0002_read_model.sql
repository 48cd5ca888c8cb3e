-- The read model: what the aggregator writes and the API reads.
-- depends: 0001_registry

-- Every accepted report, once (idempotent by id).
CREATE TABLE reports (
    id              text PRIMARY KEY,
    station_id      text NOT NULL,
    monitor_id      text NOT NULL,
    channel         text NOT NULL,
    kind            text NOT NULL,
    observed_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    flags           text[] NOT NULL DEFAULT '{}',
    body            jsonb NOT NULL,
    kafka_partition integer,
    kafka_offset    bigint
);
CREATE INDEX reports_station_time_idx ON reports (station_id, observed_at DESC, id);
CREATE INDEX reports_kind_time_idx ON reports (kind, observed_at DESC, id);

CREATE TABLE station_stats (
    station_id               text PRIMARY KEY,
    region_id                text NOT NULL,
    registered_voters        integer NOT NULL,
    ballots_issued           integer NOT NULL,
    turnout_pct              double precision NOT NULL,
    turnout_rate_pp_per_hour double precision NOT NULL,
    home_voting_applications integer NOT NULL,
    home_voting_pct          double precision NOT NULL,
    incidents_total          jsonb NOT NULL DEFAULT '{}',
    incidents_recent         jsonb NOT NULL DEFAULT '{}',
    last_report_at           timestamptz,
    open_alerts              integer NOT NULL DEFAULT 0,
    protocol                 jsonb,
    reports_processed        bigint NOT NULL DEFAULT 0,
    silent                   boolean NOT NULL DEFAULT false,
    updated_at               timestamptz NOT NULL
);
CREATE INDEX station_stats_region_idx ON station_stats (region_id, station_id);

-- region_id '' holds the nationwide roll-up.
CREATE TABLE region_stats (
    region_id                  text PRIMARY KEY,
    stations_total             integer NOT NULL,
    stations_reporting         integer NOT NULL,
    stations_silent            integer NOT NULL,
    registered_voters          bigint NOT NULL,
    ballots_issued             bigint NOT NULL,
    turnout_pct                double precision NOT NULL,
    turnout_rate_pp_per_hour   double precision NOT NULL,
    home_voting_pct            double precision NOT NULL,
    incidents_per_100_stations double precision NOT NULL,
    incidents_total            jsonb NOT NULL DEFAULT '{}',
    open_alerts                integer NOT NULL DEFAULT 0,
    updated_at                 timestamptz NOT NULL
);

-- Cumulative turnout as reported, in event time, for charts.
CREATE TABLE turnout_series (
    station_id     text NOT NULL,
    observed_at    timestamptz NOT NULL,
    ballots_issued integer NOT NULL,
    turnout_pct    double precision NOT NULL,
    PRIMARY KEY (station_id, observed_at)
);

CREATE TABLE alerts (
    id          text PRIMARY KEY,
    rule        text NOT NULL,
    severity    text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    state       text NOT NULL CHECK (state IN ('open', 'resolved')),
    station_id  text NOT NULL DEFAULT '',
    region_id   text NOT NULL DEFAULT '',
    value       double precision NOT NULL,
    threshold   double precision NOT NULL,
    message     text NOT NULL,
    report_ids  text[] NOT NULL DEFAULT '{}',
    opened_at   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    resolved_at timestamptz,
    confidence  double precision NOT NULL DEFAULT 1.0,
    version     integer NOT NULL DEFAULT 1
);
CREATE INDEX alerts_state_time_idx ON alerts (state, updated_at DESC, id);
CREATE INDEX alerts_station_idx ON alerts (station_id, updated_at DESC);
CREATE INDEX alerts_region_idx ON alerts (region_id, updated_at DESC);
