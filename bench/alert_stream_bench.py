"""alertRaised through the graphql-ws reference client during a whole national replay.

Two independent clients (npm `graphql-ws` on Node, as partners run it) subscribe before Russia
2012 (95,415 stations; PW_BENCH_ALERT_REPLAY names another dataset) is replayed through the
pipeline, with the election's rules profile as in replay_bench. Each must receive every
transition the aggregator published, or an error its `error` callback surfaces; a stream that
just stops is a failure. tests/e2e/live runs the same with a few thousand stations.
"""

from __future__ import annotations

import os
import time
from collections import Counter

from bench.support import fresh_settings, pipeline
from services.simulator.elections import election_for
from tests.e2e.live.alert_stream import (
    ALERTS,
    replay,
    settled_alerts,
    transitions,
    until_protocols,
    until_subscribed,
)
from tests.e2e.live.graphql_ws import GraphqlWsClient, ended
from tests.support.api_client import create_api_key
from tests.support.scrape import sample
from tests.support.shared_data import shared_data

REPLAY_FILE = shared_data() / "russia_dkobak" / os.environ.get("PW_BENCH_ALERT_REPLAY", "2012.csv.zip")
CLIENTS = 2


def run() -> dict[str, float]:
    if not REPLAY_FILE.exists():
        return {"alert_stream_skipped_no_data": 1.0}
    shared = fresh_settings()
    env = {
        "AGGREGATOR_RULES_PROFILE": election_for(REPLAY_FILE).key,
        "AGGREGATOR_WALL_CLOCK_SILENCE": "false",  # event time only, as replay_bench
    }
    with pipeline(shared, **env) as services:
        api = services["api"]
        key = create_api_key(shared, "partner", "bench")
        ws_url = api.url.replace("http", "ws") + "/graphql"
        clients = [GraphqlWsClient(ws_url, key, ALERTS) for _ in range(CLIENTS)]
        try:
            until_subscribed(api, clients)
            started = time.monotonic()
            replay(REPLAY_FILE, shared, services["ingest"].url, limit=None, wait_s=1800)
            stations = until_protocols(shared, services["aggregator"], within=1800)
            expected = Counter(settled_alerts(shared, quiet=10, within=900))
            total = sum(expected.values())
            for client in clients:
                client.wait_for(
                    lambda events: ended(events) or len(transitions(events)) >= total,
                    600,
                    f"all {total} transitions",
                )
            elapsed = time.monotonic() - started
            held = sample(api.url, "pollwatch_api_feed_alerts_held_seconds_total", {})
        finally:
            for client in clients:
                client.close()
    out = {
        "alert_stream_stations": float(stations),
        "alert_stream_transitions": float(total),
        "alert_stream_replay_to_last_transition_s": elapsed,
        "alert_stream_feed_held_s": held,
    }
    silent_stops = 0
    for n, client in enumerate(clients, 1):
        events = client.events
        got = Counter((alert_id, version) for _, alert_id, version in transitions(events))
        errors = [e for e in events if e["event"] == "error"]
        complete = got == expected and not ended(events)
        silent_stops += not complete and not errors
        out |= {
            f"alert_stream_client{n}_received": float(sum(got.values())),
            f"alert_stream_client{n}_errors": float(len(errors)),
        }
    out["alert_stream_silent_stops"] = float(silent_stops)
    for name, value in out.items():
        print(f"{name:45s} {value:14.3f}")
    return out


if __name__ == "__main__":
    run()
