-- A coordinator's call-back to the monitor behind a report or alert: what came of it, who
-- called and when (the latest call; every call is also in the audit log).
-- depends: 0026_ingest_dedup_owner

ALTER TABLE reports
    ADD COLUMN callback_outcome text
        CHECK (callback_outcome IN ('confirmed', 'corrected', 'retracted', 'no_answer', 'unreachable')),
    ADD COLUMN callback_by text,
    ADD COLUMN callback_at timestamptz,
    ADD COLUMN callback_note text NOT NULL DEFAULT '';

ALTER TABLE alerts
    ADD COLUMN callback_outcome text
        CHECK (callback_outcome IN ('confirmed', 'corrected', 'retracted', 'no_answer', 'unreachable')),
    ADD COLUMN callback_by text,
    ADD COLUMN callback_at timestamptz,
    ADD COLUMN callback_note text NOT NULL DEFAULT '';
