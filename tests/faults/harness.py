"""The fault suite's stack under load: the services, the phones, the probes and the expected read
model, started once for the whole run (faults, then fuzzing), with the checks every fault ends
with."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from aiokafka.errors import KafkaError
from pydantic import SecretStr

from services.aggregator.domain.rule_config import load_rules
from services.aggregator.domain.station_state import StationInfo
from services.common.contracts import topics
from services.common.infra.kafka_admin import ensure_topics
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.ingest.monitors import add_monitor
from services.simulator.provision import provision_monitors
from tests.faults.expected import Expected
from tests.faults.fuzz_requests import Target
from tests.faults.load import Load, Phone
from tests.faults.monitors import EventClock, StationMonitor
from tests.faults.read_model import Findings, inspect, read_alerts
from tests.faults.stack import SERVICES, Stack
from tests.faults.watch import OVERVIEW, Watch
from tests.support.api_client import create_api_key, graphql
from tests.support.factories import small_registry
from tests.support.infra import Infra, create_database, delete_namespace_topics, drop_database, run_script

# 37 stations with a phone each, a batch of 1-8 reports every ~0.6 s: ~250 reports/s, the rate at
# which ingest's producer once failed to recover from a 20 s broker outage.
STATIONS_PER_REGION = 3
PHONE_INTERVAL_S = 0.6
START_S = 120.0  # a fresh aggregator creates its topics and joins its group
# The fuzzing monitor's stations (test_ingest_fuzz.py, after the faults): no phone reports there.
FUZZED_STATIONS = 2
FUZZING_PHONE = "+77010000001"


@dataclass
class Harness:
    shared: SharedSettings
    stack: Stack
    load: Load
    watch: Watch
    expected: Expected
    fuzz: Target

    async def inspect(self) -> Findings:
        """One comparison of the read model with what was acknowledged."""
        alerts = await read_alerts(self.shared.kafka_bootstrap, self.shared.topic(topics.ALERTS.name))
        conn = await asyncpg.connect(self.shared.database_url.get_secret_value())
        try:
            return await inspect(conn, self.load.acknowledged, self.expected, alerts)
        finally:
            await conn.close()

    async def settle(self, within_s: float) -> Findings | None:
        """Compares until the read model holds everything acknowledged or `within_s` passed;
        returns the last comparison (None if none could be made)."""
        deadline = time.monotonic() + within_s
        last = None
        while True:
            with contextlib.suppress(OSError, asyncpg.PostgresError, KafkaError, TimeoutError):
                last = await self.inspect()
                if not last.problems():
                    return last
            if time.monotonic() > deadline:
                return last
            await asyncio.sleep(0.5)

    async def stored_by(self, ids: list[str], within_s: float) -> float | None:
        """When every report of `ids` was in PostgreSQL (time.monotonic()), polling; None if not
        within `within_s`."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, asyncpg.PostgresError, TimeoutError):
                conn = await asyncpg.connect(self.shared.database_url.get_secret_value(), timeout=5)
                try:
                    stored = await conn.fetchval("SELECT count(*) FROM reports WHERE id = ANY($1)", ids)
                    if stored == len(ids):
                        return time.monotonic()
                finally:
                    await conn.close()
            await asyncio.sleep(0.5)
        return None


@asynccontextmanager
async def running_harness(infra: Infra, log_dir: Path) -> AsyncIterator[Harness]:
    """The stack with its own topics and database, under load, until the context ends; Kafka and
    PostgreSQL are left running whatever happened."""
    namespace = f"f{uuid.uuid4().hex[:10]}"
    await ensure_topics(infra.kafka_bootstrap, namespace)
    url = await create_database(infra)
    shared = SharedSettings(
        kafka_bootstrap=infra.kafka_bootstrap, topic_namespace=namespace, database_url=SecretStr(url)
    )
    registry = small_registry(STATIONS_PER_REGION)
    fuzzed, phoned = registry.stations[:FUZZED_STATIONS], registry.stations[FUZZED_STATIONS:]
    run_id = uuid.uuid4().hex[:8]
    conn = await asyncpg.connect(url)
    try:
        await store_registry(conn, registry)
        creds = await provision_monitors(conn, [s.id for s in phoned], run_id)
        _, fuzz_token = await add_monitor(conn, "Fuzzing monitor", FUZZING_PHONE, [s.id for s in fuzzed])
    finally:
        await conn.close()
    key = await asyncio.to_thread(create_api_key, shared, "analyst")
    stack = Stack(shared, log_dir)
    tasks: list[asyncio.Task[None]] = []
    try:
        for name in SERVICES:
            stack.start(name)
        for name in SERVICES:
            answer = await asyncio.to_thread(stack.services[name].wait_ready, START_S)
            assert answer.status_code == 200, f"{name} not ready:\n{stack.services[name].log_tail()}"
        await asyncio.to_thread(graphql, stack.url("api"), key, OVERVIEW)  # the dashboard's query is valid
        clock = EventClock(datetime.now(UTC).replace(microsecond=0))
        phones = [
            Phone(
                StationMonitor(
                    run_id, s.id, creds[s.id].monitor_id, s.registered_voters, random.Random(s.id)
                ),
                creds[s.id].token,
            )
            for s in phoned
        ]
        load = Load(f"{stack.url('ingest')}/v1/reports", phones, clock, PHONE_INTERVAL_S)
        watch = Watch({name: stack.url(name) for name in SERVICES}, key)
        registry_info = {s.id: StationInfo(s.region_id, s.registered_voters) for s in registry.stations}
        tasks = [asyncio.create_task(t) for t in (stack.supervise(), load.run(), watch.run())]
        secret = stack.env["INGEST_SMS_WEBHOOK_SECRET"]
        fuzz = Target(stack.url("ingest"), fuzz_token, FUZZING_PHONE, secret, tuple(s.id for s in fuzzed))
        yield Harness(shared, stack, load, watch, Expected(registry_info, load_rules()), fuzz)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(stack.stop_all)
        # A fault interrupted half-way must not leave the rest of the suite without them.
        await asyncio.to_thread(run_script, "kafka.sh", "start")
        await asyncio.to_thread(run_script, "postgres.sh", "start")
        await delete_namespace_topics(infra, namespace)
        await drop_database(infra, url)
