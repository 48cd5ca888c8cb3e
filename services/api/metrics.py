"""Every Prometheus metric of the API, declared once."""

from __future__ import annotations

import gc
import time

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "pollwatch_api_requests_total",
    "GraphQL operations by root field (or multiple/unknown/invalid) and outcome (ok, error, refused).",
    ["operation", "outcome"],
)
RESOLVER_SECONDS = Histogram(
    "pollwatch_api_resolver_seconds",
    "Latency of root-field resolvers.",
    ["field"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
SUBSCRIPTIONS_ACTIVE = Gauge(
    "pollwatch_api_subscriptions_active", "Open GraphQL subscriptions by field.", ["subscription"]
)
CONNECTIONS_ACTIVE = Gauge("pollwatch_api_ws_connections_active", "Open GraphQL WebSocket connections.")
HUB_QUEUE_DEPTH = Gauge(
    "pollwatch_api_hub_queue_depth_messages", "Messages pending for subscribers, by hub channel.", ["channel"]
)
FANNED_OUT = Counter(
    "pollwatch_api_hub_fanned_out_total", "Messages offered to subscribers, by hub channel.", ["channel"]
)
OVERFLOW_CLOSED = Counter(
    "pollwatch_api_hub_overflow_closed_total",
    "Subscribers closed because their bounded queue overflowed, by hub channel.",
    ["channel"],
)
FEED_MESSAGES = Counter(
    "pollwatch_api_feed_messages_total",
    "Kafka messages the feed consumed, by topic and outcome (ok, invalid, tombstone, or superseded:"
    " a later value of its key came in the same batch of a compacted topic).",
    ["topic", "outcome"],
)
FEED_LAG = Gauge(
    "pollwatch_api_feed_lag_messages",
    "Messages on the broker the feed has not fetched yet, by topic (from its once-a-second probe).",
    ["topic"],
)
FEED_ALERTS_HELD = Counter(
    "pollwatch_api_feed_alerts_held_seconds_total",
    "Time the feed held alert transitions back because a subscriber that keeps up had a full queue.",
)
UNAVAILABLE = Counter(
    "pollwatch_api_unavailable_total",
    "Requests and subscriptions refused because a dependency was down, by dependency (postgres, kafka).",
    ["dependency"],
)
LIVE_MESSAGES = Counter(
    "pollwatch_api_live_messages_total",
    "Subscription messages by path: publish (preformatted frame written by the hub's publish),"
    " direct (preformatted frame sent by the subscription's task) or graphql (graphql-core).",
    ["path"],
)
LIVE_PUBLISH = LIVE_MESSAGES.labels("publish")
LIVE_DIRECT = LIVE_MESSAGES.labels("direct")
LIVE_GRAPHQL = LIVE_MESSAGES.labels("graphql")
GC_PAUSE = Histogram(
    "pollwatch_api_gc_pause_seconds",
    "Garbage-collector pauses by generation (the whole event loop stops meanwhile).",
    ["generation"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
RATE_LIMITED = Counter(
    "pollwatch_api_rate_limited_total",
    "Operations refused by the per-key operation rate limit (HTTP and WebSocket).",
)
OPERATION_COST = Histogram(
    "pollwatch_api_operation_cost_fields",
    "Estimated cost of each operation before it runs (fields resolved, lists multiplied out).",
    buckets=(10, 100, 500, 1_000, 2_000, 5_000, 10_000, 25_000, 100_000),
)
COST_REFUSED = Counter(
    "pollwatch_api_cost_refused_total",
    "Operations refused for their cost: over the role's limit (query) or the key's budget (budget).",
    ["limit"],
)


def observe_gc_pauses() -> None:
    """Times every collection into GC_PAUSE (a callback per collection: negligible cost)."""
    started = [0.0]
    children = [GC_PAUSE.labels(str(g)) for g in range(3)]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            children[info["generation"]].observe(time.perf_counter() - started[0])

    gc.callbacks.append(callback)


class PrometheusHubObserver:
    """Counts the hub's fan-out and overflows into the metrics above."""

    def __init__(self) -> None:
        # Called once per published value: keep the labelled children instead of looking them up.
        self._fanned_out: dict[str, Counter] = {}

    def fanned_out(self, channel: str, count: int) -> None:
        if count:
            child = self._fanned_out.get(channel)
            if child is None:
                child = self._fanned_out[channel] = FANNED_OUT.labels(channel)
            child.inc(count)

    def overflowed(self, channel: str) -> None:
        OVERFLOW_CLOSED.labels(channel).inc()
