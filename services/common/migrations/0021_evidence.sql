-- Evidence photos monitors upload (ingest's POST /v1/evidence), named by the SHA-256 of their
-- bytes: the same photo uploaded twice is one row. Reports refer to them by that id
-- (incident.evidence_ids, protocol.evidence_ids); the API serves them to analysts and above.
-- Who uploaded a photo stays here (monitor_id): never shown to partners.
-- depends: 0020_coordinator_role

CREATE TABLE evidence (
    id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
    media_type  text NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png')),
    size_bytes  integer NOT NULL CHECK (size_bytes > 0),
    content     bytea NOT NULL,
    station_id  text NOT NULL,
    monitor_id  text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);
-- JPEG and PNG are compressed already: no TOAST compression attempt on every write.
ALTER TABLE evidence ALTER COLUMN content SET STORAGE EXTERNAL;
CREATE INDEX evidence_station_idx ON evidence (station_id, uploaded_at DESC);
