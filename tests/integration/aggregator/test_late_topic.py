"""A topic the group's first assignment missed is assigned within the consumer's metadata age.

faust creates its own topics (station summaries, changelogs) at start, then joins the group.
On a loaded machine the broker had not listed one of them yet when the group formed: faust's
assignor left it out ("Ignoring missing topic") and the region agent read nothing, so no
roll-up for the 5 minutes of Kafka's default metadata age. With the aggregator's
`METADATA_MAX_AGE_MS` the consumer re-reads the topic list soon, sees the topic and rejoins.
"""

from __future__ import annotations

import time

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from services.aggregator.settings import AggregatorSettings
from tests.support.infra import Infra

AGE_MS: int = AggregatorSettings.model_fields["metadata_max_age_ms"].default


async def _create(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1)])
    finally:
        await admin.close()


async def _assigned(consumer: AIOKafkaConsumer, topic: str, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        await consumer.getmany(timeout_ms=200)
        if any(tp.topic == topic for tp in consumer.assignment()):
            return True
    return False


async def test_a_topic_created_after_the_group_formed_is_assigned_within_the_metadata_age(
    infra: Infra, kafka_topics: str
) -> None:
    present, late = f"{kafka_topics}.present", f"{kafka_topics}.late"
    await _create(infra.kafka_bootstrap, present)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=infra.kafka_bootstrap, group_id=f"{kafka_topics}.group", metadata_max_age_ms=AGE_MS
    )
    await consumer.start()
    try:
        consumer.subscribe([present, late])  # as faust does, once started
        assert await _assigned(consumer, present, 30)
        assert {tp.topic for tp in consumer.assignment()} == {present}
        await _create(infra.kafka_bootstrap, late)
        assert await _assigned(consumer, late, 2 * AGE_MS / 1000 + 10)
    finally:
        await consumer.stop()
