"""Creating the registry's topics and probing the broker."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from services.common.topics import ALL, Topic

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap: str, namespace: str = "", topics: tuple[Topic, ...] = ALL, replication: int = 1
) -> list[str]:
    """Creates the topics that do not exist yet; returns the names it created."""
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
        return [t.name for t in wanted]
    finally:
        await admin.close()


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
