"""A stopped broker: 503 with Retry-After and nothing acknowledged; a restarted broker is used
again without restarting ingest. Runs its own throwaway Kafka (never the shared test broker)."""

from __future__ import annotations

import asyncio

import asyncpg
from pydantic import SecretStr

from services.common.infra.kafka_admin import ensure_topics
from services.common.infra.settings import SharedSettings
from services.ingest.app import create_app
from tests.integration.ingest.conftest import ingest_settings, reports_on_topic, seed
from tests.integration.ingest.own_kafka import OwnKafka, turnout
from tests.support.asgi import running


async def test_stopped_broker_gives_503_and_a_restarted_one_is_used_again(
    own_kafka: OwnKafka, database_url: str, db: asyncpg.Connection
) -> None:
    shared = SharedSettings(
        kafka_bootstrap=own_kafka.bootstrap, topic_namespace="", database_url=SecretStr(database_url)
    )
    await ensure_topics(own_kafka.bootstrap)
    seeded = await seed(db)
    headers = {"Authorization": f"Bearer {seeded.token}"}
    first, during, after = turnout(100), turnout(200), turnout(300)
    async with running(create_app(ingest_settings(shared, produce_timeout_seconds=2))) as client:
        answer = await client.post("/v1/reports", json=first, headers=headers)
        assert answer.json()["results"][0]["status"] == "accepted"

        await asyncio.to_thread(own_kafka.run, "stop")
        down = await client.post("/v1/reports", json=during, headers=headers)
        assert down.status_code == 503
        assert down.headers["retry-after"] == "5"
        assert down.json()["results"][0]["status"] == "unavailable"
        assert down.json()["accepted"] == 0
        assert (await client.get("/readyz")).status_code == 503

        await asyncio.to_thread(own_kafka.run, "start")
        statuses = []
        for _ in range(40):  # the client's retries, as Retry-After tells it
            retry = await client.post("/v1/reports", json=during, headers=headers)
            statuses.append(retry.json()["results"][0]["status"])
            if retry.status_code == 202:
                break
            await asyncio.sleep(1)
        assert statuses[-1] in ("accepted", "duplicate"), statuses
        answer = await client.post("/v1/reports", json=after, headers=headers)
        assert answer.json()["results"][0]["status"] == "accepted"
    on_topic = [r.id for r in await reports_on_topic(shared)]
    assert sorted(on_topic) == sorted([first["id"], during["id"], after["id"]])
