"""With every patch off, each patched place takes its library's stock path and still works."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from faust.sensors import Monitor
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP
from graphql import parse
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from services.aggregator.app import create_app
from services.aggregator.output import DeliveryError, Outbox
from services.aggregator.settings import AggregatorSettings
from services.api.query_cost import operation_cost
from services.api.schema import build_schema
from services.api.shared_execution import SharingExecutor
from services.common.infra.settings import SharedSettings
from services.patches import faust as faust_patch
from services.patches.strawberry import core_schema
from tests.support.patches import switch_all_off

QUERY = "{ regions { id name stations(first: 20) { edges { node { id } } } } }"


class FaustProducer:
    """faust's producer `send`: a future of the record's metadata per record."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, int | None]] = []
        self.futures: list[asyncio.Future[Any]] = []

    async def send(self, topic: str, key: bytes, value: bytes, partition: int | None, *_: Any) -> Any:
        self.sent.append((topic, key, partition))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.futures.append(future)
        return future


async def test_the_outbox_sends_record_by_record_through_faust(monkeypatch: pytest.MonkeyPatch) -> None:
    switch_all_off(monkeypatch)
    producer = FaustProducer()
    crashes: list[BaseException] = []

    async def crash(reason: BaseException) -> None:
        crashes.append(reason)

    outbox = Outbox(SimpleNamespace(producer=producer, crash=crash))  # type: ignore[arg-type]
    delivered: list[tuple[TP, int]] = []
    await outbox.add("figures", b"ALA-1", b"a")
    await outbox.add("state", b"ALA-1", b"s1", partition=2)
    await outbox.add("state", b"ALA-2", b"s2", partition=2)
    outbox.after_delivery("state", [2], lambda tp, offset: delivered.append((tp, offset)))
    await outbox.send()
    assert producer.sent == [("figures", b"ALA-1", None), ("state", b"ALA-1", 2), ("state", b"ALA-2", 2)]
    for offset, future in enumerate(producer.futures):
        future.set_result(SimpleNamespace(offset=40 + offset))
    await outbox.delivered()
    assert delivered == [(TP("state", 2), 42)]  # the partition's last record
    await outbox.add("state", b"ALA-3", b"s3", partition=1)
    producer.futures[-1].set_exception(OSError("broker gone"))
    with pytest.raises(DeliveryError, match="broker gone"):
        await outbox.delivered()
    await asyncio.sleep(0)
    assert [type(c).__name__ for c in crashes] == ["DeliveryError"]


async def test_the_aggregator_app_has_faust_s_own_consumer_and_monitor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    switch_all_off(monkeypatch)
    shared = SharedSettings(kafka_bootstrap="127.0.0.1:1", topic_namespace="unit")
    app = create_app(AggregatorSettings(shared=shared, data_dir=tmp_path))
    assert type(app.consumer) is aiokafka_driver.Consumer
    assert type(app.monitor) is Monitor
    assert type(app.consumer._thread) is aiokafka_driver.AIOKafkaConsumerThread
    assert not isinstance(app.consumer, faust_patch.BatchDrainConsumer)


def test_the_schema_runs_strawberry_s_own_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_schema().execution_context_class is SharingExecutor
    switch_all_off(monkeypatch)
    assert build_schema().execution_context_class is StrawberryGraphQLCoreExecutionContext


def test_the_limits_read_a_schema_built_from_the_sdl_with_the_same_costs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = build_schema()
    own = core_schema(schema)
    assert own is schema._schema
    switch_all_off(monkeypatch)
    from_sdl = core_schema(schema)
    assert from_sdl is not own
    assert core_schema(schema) is from_sdl  # built once
    assert sorted(from_sdl.type_map) == sorted(own.type_map)
    document = parse(QUERY)
    assert operation_cost(from_sdl, document, None, {}, 50, 200) == operation_cost(
        own, document, None, {}, 50, 200
    )
    assert operation_cost(own, document, None, {}, 50, 200) > 20
