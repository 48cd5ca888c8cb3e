"""An ingest process killed while a write waits on Kafka leaves its dedup claim behind: the
client's resend, reaching another replica, is written at once rather than answered
`in_progress` until the claim TTL ends. Runs its own throwaway Kafka, frozen for a moment
so that the write is still waiting when the process dies."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
from pydantic import SecretStr

from services.common.infra.kafka_admin import ensure_topics
from services.common.infra.settings import SharedSettings
from services.ingest.app import create_app
from tests.integration.ingest.conftest import ingest_settings, reports_on_topic, seed
from tests.integration.ingest.own_kafka import OwnKafka, turnout
from tests.support.asgi import running
from tests.support.processes import free_port, run_service, service_env

# Far beyond the test: only the dead owner can explain a claim taken over.
CLAIM_TTL_S = 3600
RESENT_WITHIN_S = 15.0


async def test_a_resend_is_written_at_once_when_the_replica_holding_its_claim_was_killed(
    own_kafka: OwnKafka, database_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    shared = SharedSettings(
        kafka_bootstrap=own_kafka.bootstrap, topic_namespace="", database_url=SecretStr(database_url)
    )
    await ensure_topics(own_kafka.bootstrap)
    headers = {"Authorization": f"Bearer {(await seed(db)).token}"}
    report = turnout(300)
    port = free_port()
    env = service_env(
        shared,
        INGEST_PORT=str(port),
        INGEST_PRODUCE_TIMEOUT_SECONDS="1",
        INGEST_DEDUP_CLAIM_TTL_SECONDS=str(CLAIM_TTL_S),
    )
    with run_service("ingest", env, port, tmp_path) as killed:
        assert killed.wait_ready().status_code == 200, killed.log_tail()
        async with httpx.AsyncClient(base_url=killed.url, headers=headers, timeout=10) as client:
            warm = await client.post("/v1/reports", json=turnout(100))
            assert warm.json()["results"][0]["status"] == "accepted", warm.text
            with own_kafka.frozen():
                answer = await client.post("/v1/reports", json=report)
                assert answer.status_code == 503, answer.text
                assert answer.json()["results"][0]["reason"] == "kafka_timeout"
                killed.stop(kill=True)
    assert await db.fetchval("SELECT accepted_at IS NULL FROM ingest_dedup WHERE id = $1", report["id"])

    settings = ingest_settings(shared, dedup_claim_ttl_seconds=CLAIM_TTL_S)
    async with running(create_app(settings)) as other:
        answers = []
        deadline = time.monotonic() + RESENT_WITHIN_S
        while time.monotonic() < deadline:
            resend = await other.post("/v1/reports", json=report, headers=headers)
            answers.append(resend.json()["results"][0].get("reason") or resend.json()["results"][0]["status"])
            if resend.status_code != 503:
                break
            await asyncio.sleep(0.5)
        assert answers[-1] == "accepted", answers
    # The killed process's request may have reached the broker before it died: a second copy
    # with the same id then, which the aggregator drops. Never more.
    copies = [r for r in await reports_on_topic(shared) if r.id == report["id"]]
    assert 1 <= len(copies) <= 2, copies
