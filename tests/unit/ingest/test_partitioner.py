"""Ingest's partitioner puts every key where aiokafka's (and Java's) default one does."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from services.ingest.producer import KeyPartitioner

partition_lists = st.integers(min_value=1, max_value=64).map(lambda n: list(range(n)))


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=20), partition_lists)
def test_same_partition_as_the_default_on_every_call(keys: list[bytes], partitions: list[int]) -> None:
    ours, default = KeyPartitioner(), DefaultPartitioner()
    twice = keys * 2  # the second time from the cache
    picked = [ours(key, partitions, partitions) for key in twice]
    assert len(picked) == 2 * len(keys)
    assert picked == [default(key, partitions, partitions) for key in twice]


def test_keyless_messages_still_go_to_an_available_partition() -> None:
    assert KeyPartitioner()(None, [0, 1, 2], [2]) == 2
