-- Alerts to coordinators and partner systems (services/messenger/notify): subscriptions by
-- severity, rule and region, and one notification row per (alert transition, subscription),
-- so a transition never reaches the same target twice, whatever crashes in between.
-- depends: 0022_findings

CREATE TABLE alert_subscriptions (
    id           text PRIMARY KEY,
    name         text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('webhook', 'sms')),
    target       text NOT NULL,  -- the webhook's URL, or an on-duty phone (E.164)
    -- The webhook's signing key (HMAC-SHA256): the receiver holds it too, so it is kept as is.
    secret       text,
    language     text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ru', 'kk')),
    min_severity text NOT NULL DEFAULT 'warning' CHECK (min_severity IN ('info', 'warning', 'critical')),
    rules        text[] NOT NULL DEFAULT '{}',  -- empty: every rule
    regions      text[] NOT NULL DEFAULT '{}',  -- empty: every region
    on_duty      boolean NOT NULL DEFAULT true,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    disabled_at  timestamptz,
    CHECK ((channel = 'webhook') = (secret IS NOT NULL))
);

-- queued -> sending -> delivered; sending -> queued (retry later) or dead (gave up);
-- sending -> unknown (an SMS the gateway may have taken; never resent). `digest`: an SMS held
-- for the minute's digest (more than K to one phone within a minute).
CREATE TABLE alert_notifications (
    alert_id        text NOT NULL,
    version         integer NOT NULL,
    subscription_id text NOT NULL REFERENCES alert_subscriptions (id),
    transition      text NOT NULL,
    severity        text NOT NULL,
    station_id      text NOT NULL,
    body            text NOT NULL,  -- the webhook's JSON body or the SMS text, as first rendered
    digest          boolean NOT NULL DEFAULT false,
    state           text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'sending', 'unknown', 'delivered', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_at      timestamptz,
    claimed_by      text,
    last_status     integer,  -- the receiver's last HTTP status
    error           text,
    raised_at       timestamptz NOT NULL,  -- the alert transition's time
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (alert_id, version, subscription_id)
);
CREATE INDEX alert_notifications_due_idx ON alert_notifications (next_attempt_at) WHERE state = 'queued';
CREATE INDEX alert_notifications_sending_idx ON alert_notifications (claimed_at) WHERE state = 'sending';
CREATE INDEX alert_notifications_log_idx ON alert_notifications (created_at DESC);
CREATE INDEX alert_notifications_recent_idx ON alert_notifications (subscription_id, created_at);
