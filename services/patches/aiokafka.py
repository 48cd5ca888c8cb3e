"""aiokafka's private parts (written for aiokafka 0.12-0.14; services/patches/registry.py).

- `aiokafka.node_drain`: a broker's lingering batches leave together, in one produce request, as
  in Kafka's Java client. aiokafka lingers per partition: each partition's batch waits
  `linger_ms` from its own first message, so single reports spread over the topic's partitions
  leave in as many produce requests (one at a time per broker) as partitions that filled at
  different moments. Java's producer sends, once any batch for a broker is ready, every batch it
  holds for that broker. `drain_together` gives aiokafka's accumulator that rule (`_batches`,
  `_cluster`, a batch's `_linger_time`): fewer produce requests for the same messages, and no
  message waits longer than its own linger. Off: aiokafka's per-partition linger.
  tests/integration/ingest/test_node_drain.py.
- `aiokafka.retire`: `fail_held` stops a producer's sender (`_sender`) and fails every batch its
  accumulator still holds (`_message_accumulator.fail_all`), so that a producer whose broker is
  gone can be stopped at once (services/ingest/producer_retire.py). Off: `stop()` under a
  timeout. tests/integration/ingest/test_producer_recovery.py.
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


def has_internals(producer: AIOKafkaProducer) -> bool:
    """Whether `producer` has the parts `fail_held` reaches for."""
    sender: Any = getattr(producer, "_sender", None)
    accumulator: Any = getattr(producer, "_message_accumulator", None)
    return callable(getattr(sender, "close", None)) and callable(getattr(accumulator, "fail_all", None))


async def fail_held(producer: AIOKafkaProducer, error: Exception) -> None:
    """Stops `producer`'s sender (waiting for the request in flight) and fails every batch it
    still holds with `error`. The sender first: a batch failed under a produce request in flight
    would be re-queued by it afterwards, and aiokafka trips over that."""
    await producer._sender.close()
    producer._message_accumulator.fail_all(error)
