"""Ingest's partitioner puts every key where aiokafka's (and Java's) default one does."""

from __future__ import annotations

import pytest
from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from services.ingest import producer
from services.ingest.producer import KeyPartitioner

partition_lists = st.integers(min_value=1, max_value=64).map(lambda n: list(range(n)))


@given(st.lists(st.binary(max_size=40), min_size=1, max_size=20), partition_lists)
def test_same_partition_as_the_default_on_every_call(keys: list[bytes], partitions: list[int]) -> None:
    ours, default = KeyPartitioner(), DefaultPartitioner()
    for key in keys * 2:  # the second time from the cache
        assert ours(key, partitions, partitions) == default(key, partitions, partitions)


def test_the_cache_is_bounded_and_still_right_after_clearing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(producer, "MAX_CACHED_KEYS", 3)
    ours, default = KeyPartitioner(), DefaultPartitioner()
    keys = [f"ALA-{i:04d}".encode() for i in range(10)]
    for key in keys * 2:
        assert ours(key, [0, 1, 2, 3, 4, 5], []) == default(key, [0, 1, 2, 3, 4, 5], [])
    assert len(ours._hashes) <= 3


def test_keyless_messages_still_go_to_an_available_partition() -> None:
    assert KeyPartitioner()(None, [0, 1, 2], [2]) == 2
