"""The findings subscription over a real WebSocket, fed from the real station and region topics:
the current figures first, then each changed region and the nation, counted in stations."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiokafka import AIOKafkaProducer

from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient
from tests.integration.api.conftest import Api
from tests.integration.api.test_subscriptions import send_stats
from tests.unit.api.factories import region_stats, station_stats

FINDINGS_SUB = """subscription($region: ID) { findingsUpdated(region: $region) { seq findings {
  regionId stationsTotal stationsObserved
  violations { violation stationsReported stationsCorroborated share }
  checklist { phase question stationsAnswered stationsAnsweredNo shareNo } } } }"""
SEALED = "opening.ballot_boxes_sealed"


async def send_region(producer: AIOKafkaProducer, shared: SharedSettings, stats: ev.RegionStats) -> None:
    await producer.send_and_wait(
        shared.topic(topics.REGION_STATS.name), codec.encode_region_stats(stats), key=stats.region_id.encode()
    )


def update(message: dict[str, Any]) -> tuple[int, str | None, int, int, int, int]:
    """seq, region, observed, stations with stuffing, corroborated, stations answering "sealed" no."""
    assert message["type"] == "next", message
    u = message["payload"]["data"]["findingsUpdated"]
    f = u["findings"]
    v = next(v for v in f["violations"] if v["violation"] == "ballot_stuffing")
    q = next(q for q in f["checklist"] if f"{q['phase']}.{q['question']}" == SEALED)
    return (
        u["seq"],
        f["regionId"],
        f["stationsObserved"],
        v["stationsReported"],
        v["stationsCorroborated"],
        q["stationsAnsweredNo"],
    )


async def hub_holds(api: Api, key: str, stations: list[str], regions: list[str]) -> None:
    """Waits until the API's hub holds these stations' and regions' (and the nation's) values:
    a new subscriber to each receives them first."""
    barrier = await WsClient.open(api.ws_url, key)
    try:
        await barrier.ack()
        await barrier.subscribe(
            "s", "subscription($ids: [ID!]) { stationUpdated(ids: $ids) { seq } }", {"ids": stations}
        )
        await barrier.subscribe(
            "r", "subscription($ids: [ID!]) { regionUpdated(ids: $ids) { seq } }", {"ids": regions}
        )
        await barrier.subscribe(
            "o", "subscription { overviewUpdated { overview { national { stationsTotal } } } }"
        )
        seen: dict[str, int] = {}
        while seen.get("s", 0) < len(stations) or seen.get("r", 0) < len(regions) or not seen.get("o"):
            message = await barrier.receive()
            assert message["type"] == "next", message
            if message["id"] != "o" or message["payload"]["data"]["overviewUpdated"]["overview"]["national"]:
                seen[message["id"]] = seen.get(message["id"], 0) + 1
    finally:
        await barrier.close()


async def test_findings_arrive_live_per_region_then_nationally(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    for r in (
        region_stats("R1", stations=3),
        region_stats("R2", stations=1),
        region_stats(ev.NATIONAL, stations=4),
    ):
        await send_region(producer, shared_settings, r)
    stuffed = {"incidents_total": {"BALLOT_STUFFING": 4}, "violation_monitors": {"BALLOT_STUFFING": 2}}
    await send_stats(producer, shared_settings, dataclasses.replace(station_stats("S1", "R1"), **stuffed))  # type: ignore[arg-type]
    await send_stats(producer, shared_settings, station_stats("S4", "R2"))

    await hub_holds(api, keys["partner"], stations=["S1", "S4"], regions=["R1", "R2"])

    client = await WsClient.open(api.ws_url, keys["public"])
    scoped = await WsClient.open(api.ws_url, keys["public_r2"])
    try:
        await client.ack()
        await scoped.ack()
        await client.subscribe("f", FINDINGS_SUB, {})
        assert [update(await client.receive()) for _ in range(3)] == [
            (1, "R1", 1, 1, 1, 0),
            (2, "R2", 1, 0, 0, 0),
            (3, None, 2, 1, 1, 0),
        ]
        await scoped.subscribe("s", FINDINGS_SUB, {})
        assert [update(await scoped.receive()) for _ in range(2)] == [
            (1, "R2", 1, 0, 0, 0),
            (2, None, 1, 0, 0, 0),
        ]

        # A second station in R2 answers "sealed: no": R2 and the nation change, R1 is not sent.
        await send_stats(
            producer,
            shared_settings,
            dataclasses.replace(station_stats("S5", "R2"), checklist={SEALED: False}),
        )
        assert [update(await client.receive()) for _ in range(2)] == [
            (4, "R2", 2, 0, 0, 1),
            (5, None, 3, 1, 1, 1),
        ]
        assert [update(await scoped.receive()) for _ in range(2)] == [
            (3, "R2", 2, 0, 0, 1),
            (4, None, 2, 0, 0, 1),
        ]
    finally:
        await client.close()
        await scoped.close()


async def test_a_scoped_key_may_not_follow_another_region(api: Api, keys: dict[str, str]) -> None:
    client = await WsClient.open(api.ws_url, keys["public_r2"])
    try:
        await client.ack()
        await client.subscribe("x", FINDINGS_SUB, {"region": "R1"})
        message = await client.receive()
        assert message["type"] in {"next", "error"}, message
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN", errors
    finally:
        await client.close()
