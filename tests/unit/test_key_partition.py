"""key_partition.partition_for picks the partition aiokafka's default partitioner picks."""

from __future__ import annotations

import pytest
from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from services.common.contracts import key_partition


@given(key=st.binary(min_size=0, max_size=40), partitions=st.integers(min_value=1, max_value=64))
def test_same_partition_as_aiokafka(key: bytes, partitions: int) -> None:
    every = list(range(partitions))
    assert key_partition.partition_for(key, partitions) == DefaultPartitioner()(key, every, every)


# Kafka's own murmur2 test vectors (clients' UtilsTest.testMurmur2), as Java's signed ints.
JAVA_MURMUR2 = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


def test_hash_is_javas_murmur2() -> None:
    assert {key: key_partition.key_hash(key) for key in JAVA_MURMUR2} == {
        key: java & 0x7FFFFFFF for key, java in JAVA_MURMUR2.items()
    }


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_partition, "MAX_CACHED_KEYS", 10)
    monkeypatch.setattr(key_partition, "_hashes", {})
    for i in range(25):
        key_partition.partition_for(b"k%d" % i, 6)
    assert len(key_partition._hashes) <= 10
