-- Verification of reports and alerts by coordinators: a state (unverified until decided), who
-- decided, when and why; and who claimed the item to call the monitor back, so two coordinators
-- do not take the same. Per key: whether it sees only verified items (partners of a careful
-- network). Every change is also in the audit log.
-- depends: 0024_service_role

ALTER TABLE reports
    ADD COLUMN verification text NOT NULL DEFAULT 'unverified'
        CHECK (verification IN ('unverified', 'verified', 'rejected', 'quarantined')),
    ADD COLUMN verified_by text,
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN verification_note text NOT NULL DEFAULT '',
    ADD COLUMN claimed_by text,
    ADD COLUMN claimed_at timestamptz;
CREATE INDEX reports_verification_idx ON reports (verification, observed_at, id);

ALTER TABLE alerts
    ADD COLUMN verification text NOT NULL DEFAULT 'unverified'
        CHECK (verification IN ('unverified', 'verified', 'rejected', 'quarantined')),
    ADD COLUMN verified_by text,
    ADD COLUMN verified_at timestamptz,
    ADD COLUMN verification_note text NOT NULL DEFAULT '',
    ADD COLUMN claimed_by text,
    ADD COLUMN claimed_at timestamptz;
CREATE INDEX alerts_verification_idx ON alerts (verification, opened_at, id);

ALTER TABLE api_keys ADD COLUMN verified_only boolean NOT NULL DEFAULT false;
