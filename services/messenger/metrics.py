"""Every Prometheus metric the messenger exports, declared once, on a registry of the app's own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.process_collector import ProcessCollector


class MessengerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.broadcasts = Counter(
            "pollwatch_messenger_broadcasts_total",
            "Broadcasts recorded from the broadcasts topic, by kind.",
            ["kind"],
            registry=self.registry,
        )
        self.recipients = Counter(
            "pollwatch_messenger_recipients_total",
            "Deliveries queued for the broadcasts recorded.",
            registry=self.registry,
        )
        self.sends = Counter(
            "pollwatch_messenger_sends_total",
            "Send attempts by what they led to: sent, queued (retried later), unknown (may have been"
            " taken; waits for its callback) or failed.",
            ["result"],
            registry=self.registry,
        )
        self.gateway_duration = Histogram(
            "pollwatch_messenger_gateway_request_duration_seconds",
            "Time for the gateway to answer a send, by gateway.",
            ["gateway"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.rate_wait = Counter(
            "pollwatch_messenger_rate_limit_wait_seconds_total",
            "Time sends waited for the gateway's rate limit (or for a 429's pause).",
            registry=self.registry,
        )
        self.callbacks = Counter(
            "pollwatch_messenger_status_callbacks_total",
            "Gateway status callbacks by result: applied, unchanged (nothing new), unmatched (no such"
            " delivery), refused (bad signature or body).",
            ["result"],
            registry=self.registry,
        )
        self.status_polls = Counter(
            "pollwatch_messenger_status_polls_total",
            "Statuses asked of a gateway that posts no callbacks (RapidPro), by result: applied,"
            " unchanged, unavailable (the gateway could not answer; asked again next round).",
            ["result"],
            registry=self.registry,
        )
        self.interrupted = Counter(
            "pollwatch_messenger_interrupted_deliveries_total",
            "Deliveries a dead process left sending, taken back (requeued or left unknown).",
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "pollwatch_messenger_dead_letters_total",
            "Broadcast requests that could not be read, kept on the dead-letter topic.",
            registry=self.registry,
        )
        self.deliveries = Gauge(
            "pollwatch_messenger_deliveries",
            "Deliveries by state, every broadcast together (refreshed every few seconds).",
            ["state"],
            registry=self.registry,
        )
        self.alerts_read = Counter(
            "pollwatch_messenger_alerts_read_total",
            "Alert transitions read for notifications, by result: routed, stale (older than"
            " MESSENGER_NOTIFY_MAX_AGE_SECONDS), unreadable.",
            ["result"],
            registry=self.registry,
        )
        self.notifications_queued = Counter(
            "pollwatch_messenger_notifications_queued_total",
            "Notifications queued (one per alert transition and subscription).",
            registry=self.registry,
        )
        self.notifications = Counter(
            "pollwatch_messenger_notification_attempts_total",
            "Notification attempts by channel (webhook, sms) and what they led to: delivered, queued"
            " (retried later), unknown, dead (gave up).",
            ["channel", "result"],
            registry=self.registry,
        )
        self.notifications_interrupted = Counter(
            "pollwatch_messenger_notifications_interrupted_total",
            "Notifications a dead process left sending, taken back.",
            registry=self.registry,
        )
        self.notifications_by_state = Gauge(
            "pollwatch_messenger_notifications",
            "Notifications by state (refreshed every few seconds).",
            ["state"],
            registry=self.registry,
        )
