"""A broker's lingering batches leave together, in one produce request, as in Kafka's Java client.

aiokafka lingers per partition: each partition's batch waits `linger_ms` from its own first
message, so single reports spread over the topic's partitions leave in as many produce
requests (one at a time per broker) as partitions that filled at different moments. Java's
producer sends, once any batch for a broker is ready, every batch it holds for that broker.
`drain_together` gives aiokafka's accumulator that rule: fewer produce requests for the same
messages (less CPU in ingest and in the broker per report), and no message waits longer than
its own linger.

This reaches into aiokafka's accumulator (`_batches`, `_cluster`, a batch's `_linger_time`;
aiokafka is pinned in constraints.txt); tests/integration/ingest/test_node_drain.py holds it
to its behaviour against a real broker.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from aiokafka import AIOKafkaProducer

Drain = Callable[..., tuple[dict[int, dict[Any, Any]], bool]]


def drain_together(producer: AIOKafkaProducer) -> None:
    """Makes `producer` send all of a broker's batches once one of them is ready."""
    accumulator = producer._message_accumulator
    original: Drain = accumulator.drain_by_nodes

    def drain_by_nodes(
        ignore_nodes: Collection[int], muted_partitions: Collection[Any] = frozenset()
    ) -> tuple[dict[int, dict[Any, Any]], bool]:
        batches = accumulator._batches
        if len(batches) > 1:
            leader_for = accumulator._cluster.leader_for_partition
            waiting: list[tuple[int, Any]] = []
            ready: set[int] = set()
            for tp, queue in batches.items():
                if tp in muted_partitions or not queue:
                    continue
                leader = leader_for(tp)
                if leader is None or leader == -1 or leader in ignore_nodes:
                    continue
                if queue[0].remaining_linger():
                    waiting.append((leader, queue[0]))
                else:
                    ready.add(leader)
            for leader, batch in waiting:
                if leader in ready:
                    batch._linger_time = 0  # goes with the ready batch's request
        return original(ignore_nodes, muted_partitions)

    accumulator.drain_by_nodes = drain_by_nodes
