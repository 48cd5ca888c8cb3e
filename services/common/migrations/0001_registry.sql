-- The station registry: regions and polling stations.

CREATE TABLE regions (
    id   text PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL DEFAULT 'region' CHECK (kind IN ('region', 'city'))
);

CREATE TABLE stations (
    id                text PRIMARY KEY,
    region_id         text NOT NULL REFERENCES regions (id),
    district          text NOT NULL DEFAULT '',
    name              text NOT NULL,
    registered_voters integer NOT NULL CHECK (registered_voters >= 0),
    latitude          double precision,
    longitude         double precision,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX stations_region_idx ON stations (region_id, id);
