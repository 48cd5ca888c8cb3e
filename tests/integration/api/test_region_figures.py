"""A region's figures through both read paths, stored (the aggregator's sink, then a query) and live
(the region-stats topic, then regionUpdated): each object carries the counts its percentages are
ratios of, with the same exact numbers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer

from services.aggregator.sink import write_region_stats
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient, gql
from tests.integration.api.conftest import Api
from tests.unit.aggregator.test_region_rollup import region, station

FIGURES = """registeredVoters registeredVotersReporting ballotsIssued turnoutPct
  homeVotingApplications homeVotingPct turnoutRatePpPerHour"""
EXPECTED = {
    "registeredVoters": 4500,
    "registeredVotersReporting": 4000,
    "ballotsIssued": 400,
    "turnoutPct": 10.0,
    "homeVotingApplications": 20,
    "homeVotingPct": 0.5,
    "turnoutRatePpPerHour": 1.0,
}


def rolled_up() -> ev.RegionStats:
    """R1's roll-up: a station at 40 %, one whose protocol says 0 ballots, one not reported yet."""
    r = region(
        station("A", 1000, 400, home=20, rate=4.0),
        station("B", 3000, 0, protocol=True),
        station("C", 500, 0),
    )
    return dataclasses.replace(r, region_id="R1", updated_at=datetime(2030, 1, 1, tzinfo=UTC))


async def test_stored_region_figures_are_consistent(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    await write_region_stats(db, [rolled_up()])
    body = await gql(api.url, f'{{ region(id: "R1") {{ stats {{ {FIGURES} }} }} }}', keys["public"])
    assert body["data"]["region"]["stats"] == EXPECTED


async def test_live_region_figures_are_consistent(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    client = await WsClient.open(api.ws_url, keys["public"])
    try:
        await client.ack()
        await client.subscribe(
            "1", f'subscription {{ regionUpdated(ids: ["R1"]) {{ region {{ stats {{ {FIGURES} }} }} }} }}'
        )
        await producer.send_and_wait(
            shared_settings.topic(topics.REGION_STATS.name),
            codec.encode_region_stats(rolled_up()),
            key=b"R1",
        )
        message = await client.receive()
        assert message["payload"]["data"]["regionUpdated"]["region"]["stats"] == EXPECTED
    finally:
        await client.close()
