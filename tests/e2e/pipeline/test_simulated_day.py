"""A short simulated election day through the real pipeline: simulator -> ingest -> Kafka ->
aggregator -> PostgreSQL/Kafka -> API. Every injected irregularity must raise its alert, and the
API's final figures must equal the simulator's ground truth exactly."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.simulator.delivery import DeliveryOptions, schedule
from services.simulator.model import DayOptions, plan_day
from services.simulator.provision import provision_monitors
from services.simulator.scenario import Day, Irregularity
from services.simulator.sender import Sender
from tests.support.api_client import create_api_key, graphql
from tests.support.factories import small_registry
from tests.support.processes import run_all
from tests.support.waits import PIPELINE_S

# The alert each injected irregularity must raise (the demo profile, services/aggregator/rules/demo.yaml).
EXPECTED_RULE = {
    Irregularity.BALLOT_STUFFING: "turnout_jump",
    Irregularity.CAROUSEL: "grave_incident",
    Irregularity.HOME_VOTING: "home_voting",
    Irregularity.MONITOR_REMOVED: "silent_station",
    Irregularity.PROTOCOL_REFUSED: "protocol_refused",
    Irregularity.PROTOCOL_INCONSISTENT: "protocol_inconsistent",
    Irregularity.CHECKLIST_FAILED: "checklist_failed",
    Irregularity.MONITOR_BARRED: "monitor_absent",
}
STATIONS_QUERY = """
query($region: ID, $after: String) {
  stations(region: $region, first: 100, after: $after) {
    nodes { id stats { ballotsIssued homeVotingApplications registeredVoters protocol } }
    pageInfo { endCursor hasNextPage }
  }
}"""
ALERTS_QUERY = """
query($after: String) {
  alerts(first: 100, after: $after) { nodes { rule stationId severity } pageInfo { endCursor hasNextPage } }
}"""
TURNOUT_REPORTS_QUERY = (
    "query($s: ID) { reports(station: $s, kind: TURNOUT, first: 50) { nodes { observedAt body } } }"
)
REGIONS_QUERY = "{ regions { id stats { registeredVoters ballotsIssued stationsTotal } } }"


def paged(url: str, key: str, query: str, field: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = graphql(url, key, query, after=after)[field]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def settled(nodes: list[dict[str, Any]], day: Day) -> bool:
    """Every station shows its final turnout, and its protocol where one was sent."""
    stats = {n["id"]: n["stats"] for n in nodes}
    for sid, truth in day.truth.items():
        got = stats.get(sid)
        if Irregularity.MONITOR_BARRED in truth.irregularities:
            continue  # never reported: no figures
        if got is None or (got["ballotsIssued"], got["homeVotingApplications"]) != (
            truth.ballots_issued,
            truth.home_voting_applications,
        ):
            return False
        if truth.protocol is not None and got["protocol"] is None:
            return False
    return True


def wait_for_truth(api: str, key: str, day: Day, timeout: float = PIPELINE_S) -> list[dict[str, Any]]:
    """Polls the API until every station shows its final figures (or the timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        nodes = paged(api, key, STATIONS_QUERY, "stations")
        if settled(nodes, day) or time.monotonic() > deadline:
            return nodes
        time.sleep(1)


@pytest.mark.e2e
async def test_simulated_day_raises_every_irregularity_and_ends_at_the_truth(
    shared_settings: SharedSettings, db: asyncpg.Connection, tmp_path: Path
) -> None:
    registry = small_registry()
    await store_registry(db, registry)
    run_id = uuid.uuid4().hex[:8]
    creds = await provision_monitors(db, [s.id for s in registry.stations], run_id)
    almaty = timezone(timedelta(hours=5))
    day_before_yesterday = (datetime.now(almaty) - timedelta(days=2)).date()
    opening = datetime.combine(day_before_yesterday, datetime.min.time(), almaty).replace(hour=7)
    day = plan_day(
        list(registry.stations), DayOptions(opening, run_id, seed=11, irregular_share=0.45, sms_share=0.15)
    )
    injected = {i for t in day.truth.values() for i in t.irregularities}
    assert injected == set(Irregularity), "the seed must inject every kind of irregularity"

    with run_all(shared_settings, tmp_path) as services:
        for service in services.values():
            assert service.wait_ready().status_code == 200, service.log_tail()
        # The whole day (eve to protocols, ~29 h) in about 25 s, with resends and late reports.
        deliveries = schedule(day, DeliveryOptions(speed=4000, resend_share=0.1, late_share=0.05, seed=3))
        sender = Sender(services["ingest"].url, creds)
        outcomes = await sender.run(deliveries)
        assert set(outcomes) <= {"accepted", "duplicate", "sms_ok"}, outcomes
        assert sender.delivered == {r.report_id for r in day.reports}
        assert outcomes["duplicate"] > 0, "resent reports must come back as duplicates"

        api = services["api"].url
        key = create_api_key(shared_settings, "analyst")
        nodes = wait_for_truth(api, key, day)
        final = {n["id"]: n["stats"] for n in nodes}
        for sid, truth in day.truth.items():
            stats = final[sid]
            if Irregularity.MONITOR_BARRED in truth.irregularities:
                assert stats is None, f"{sid}: a barred monitor's station has figures"
                continue
            assert stats is not None, f"{sid}: no stats"
            reports_of = (
                graphql(
                    api,
                    key,
                    TURNOUT_REPORTS_QUERY,
                    s=sid,
                )["reports"]["nodes"]
                if stats["ballotsIssued"] != truth.ballots_issued
                else []
            )
            assert (stats["ballotsIssued"], stats["homeVotingApplications"]) == (
                truth.ballots_issued,
                truth.home_voting_applications,
            ), f"{sid}: {stats} {reports_of}"
            if truth.protocol is not None:
                assert stats["protocol"] is not None, f"{sid}: its protocol never reached the API"
                assert stats["protocol"]["ballots_issued"] == truth.protocol.ballots_issued, sid
                assert stats["protocol"]["votes"] == dict(truth.protocol.votes), sid

        regions = {r["id"]: r["stats"] for r in graphql(api, key, REGIONS_QUERY)["regions"]}
        by_region: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for t in day.truth.values():
            by_region[t.region_id][0] += t.registered_voters
            by_region[t.region_id][1] += t.ballots_issued
            by_region[t.region_id][2] += 1
        for region_id, (registered, issued, count) in by_region.items():
            stats = regions[region_id]
            assert (stats["registeredVoters"], stats["ballotsIssued"], stats["stationsTotal"]) == (
                registered,
                issued,
                count,
            ), region_id

        raised = {(a["stationId"], a["rule"]) for a in paged(api, key, ALERTS_QUERY, "alerts")}
        missing = [
            (t.station_id, i.value)
            for t in day.truth.values()
            for i in t.irregularities
            if (t.station_id, EXPECTED_RULE[i]) not in raised
        ]
        assert missing == [], f"irregularities without their alert: {missing}"
