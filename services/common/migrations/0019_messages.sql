-- Messages to monitors (services/messenger): each broadcast as requested, one delivery row per
-- recipient keyed (broadcast, monitor) so a monitor never gets the same broadcast twice, and
-- monitors' check-ins ("reply OK when you are at your station").
-- depends: 0018_audit_log

CREATE TABLE broadcasts (
    id           text PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('message', 'checkin', 'credentials')),
    audience     jsonb NOT NULL,
    -- The text sent when there is none in the recipient's language ('' for built-in texts).
    text         text NOT NULL,
    translations jsonb NOT NULL DEFAULT '{}',
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    expanded_at  timestamptz NOT NULL DEFAULT now(),
    recipients   integer NOT NULL
);
CREATE INDEX broadcasts_requested_idx ON broadcasts (requested_at DESC, id);

-- queued -> sending -> sent -> delivered | failed; sending -> queued (retry later) or failed;
-- sending -> unknown when the gateway may or may not have taken it (never resent; its status
-- callback settles it). Texts are not stored: credentials carry a token.
CREATE TABLE message_deliveries (
    broadcast_id       text NOT NULL REFERENCES broadcasts (id),
    monitor_id         text NOT NULL REFERENCES monitors (id),
    language           text NOT NULL,
    state              text NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued', 'sending', 'unknown', 'sent', 'delivered', 'failed')),
    attempts           integer NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    claimed_at         timestamptz,
    claimed_by         text,
    gateway_message_id text,
    error              text,
    sent_at            timestamptz,
    settled_at         timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (broadcast_id, monitor_id)
);
CREATE INDEX message_deliveries_due_idx ON message_deliveries (next_attempt_at) WHERE state = 'queued';
CREATE INDEX message_deliveries_sending_idx ON message_deliveries (claimed_at) WHERE state = 'sending';
CREATE INDEX message_deliveries_monitor_idx ON message_deliveries (monitor_id);
CREATE UNIQUE INDEX message_deliveries_gateway_idx ON message_deliveries (gateway_message_id)
    WHERE gateway_message_id IS NOT NULL;

-- Every check-in reply, as received.
CREATE TABLE monitor_checkins (
    id         bigserial PRIMARY KEY,
    monitor_id text NOT NULL REFERENCES monitors (id),
    at         timestamptz NOT NULL,
    channel    text NOT NULL DEFAULT 'sms'
);
CREATE INDEX monitor_checkins_monitor_idx ON monitor_checkins (monitor_id, at DESC);
