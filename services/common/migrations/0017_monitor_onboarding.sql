-- Monitors onboarded from a network's roster (`pollwatch monitors import`): region and
-- coordinator (the roster's language is monitors.lang, 0016). A monitor is imported before it
-- gets a token (credentials are issued apart, on a printed sheet or by SMS), so token_hash may
-- be NULL until then; a revoked monitor's phone is free for someone else. Every change to monitors or their stations notifies ingest, which drops
-- its cached look-ups at once (a phone swap or a revocation takes effect immediately).
-- depends: 0016_monitor_language

ALTER TABLE monitors
    ADD COLUMN region_id text REFERENCES regions (id),
    ADD COLUMN coordinator text NOT NULL DEFAULT '',
    ADD COLUMN token_issued_at timestamptz,
    ALTER COLUMN token_hash DROP NOT NULL,
    DROP CONSTRAINT monitors_phone_key;

UPDATE monitors SET token_issued_at = created_at WHERE token_hash IS NOT NULL;

-- One active monitor per phone: an SMS sender maps to one monitor.
CREATE UNIQUE INDEX monitors_active_phone_idx ON monitors (phone) WHERE revoked_at IS NULL;
CREATE INDEX monitors_region_idx ON monitors (region_id);

CREATE FUNCTION notify_monitors_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pollwatch_monitors', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER monitors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON monitors
    FOR EACH STATEMENT EXECUTE FUNCTION notify_monitors_changed();
CREATE TRIGGER monitor_stations_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON monitor_stations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_monitors_changed();
