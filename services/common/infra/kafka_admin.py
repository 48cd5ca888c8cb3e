"""Creating the registry's topics and probing the broker."""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from services.common.contracts.topics import ALL, Topic

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap: str, namespace: str = "", topics: tuple[Topic, ...] = ALL, replication: int = 1
) -> list[str]:
    """Creates the topics that do not exist yet and waits until the broker describes each with
    all its partitions (a create returns before its metadata is served); returns the names it
    created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=t.qualified(namespace),
                num_partitions=t.partitions,
                replication_factor=replication,
                topic_configs=t.configs(),
            )
            for t in topics
            if t.qualified(namespace) not in existing
        ]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                log.info("topics were created concurrently")
            await _until_described(admin, {t.name: t.num_partitions for t in wanted})
        return [t.name for t in wanted]
    finally:
        await admin.close()


async def _until_described(
    admin: AIOKafkaAdminClient, partitions: dict[str, int], within: float = 30
) -> None:
    deadline = time.monotonic() + within
    while True:
        described = await admin.describe_topics(list(partitions))
        seen = {d["topic"]: len(d["partitions"]) for d in described if not d["error_code"]}
        missing = {name for name, n in partitions.items() if seen.get(name) != n}
        if not missing:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"topics not served with their partitions after {within:.0f} s: {sorted(missing)}"
            )
        await asyncio.sleep(0.2)


async def broker_reachable(bootstrap: str, timeout_ms: int = 3000) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=timeout_ms)
    try:
        await admin.start()
        await admin.list_topics()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        await admin.close()
