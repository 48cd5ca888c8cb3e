"""The partition Kafka's default partitioner gives a key (murmur2, as Java's), with hashes kept.

Keys are station ids, a few thousand to a hundred thousand, and aiokafka's murmur2 is pure Python
(~3 us a key); the hash of each key is computed once (bounded: the cache is dropped when full).
"""

from __future__ import annotations

from aiokafka.partitioner import murmur2

MAX_CACHED_KEYS = 200_000
_hashes: dict[bytes, int] = {}


def key_hash(key: bytes) -> int:
    hashed = _hashes.get(key)
    if hashed is None:
        if len(_hashes) >= MAX_CACHED_KEYS:
            _hashes.clear()
        hashed = _hashes[key] = int(murmur2(key)) & 0x7FFFFFFF
    return hashed


def partition_for(key: bytes, partitions: int) -> int:
    """The partition (of `partitions`, numbered from 0) aiokafka's DefaultPartitioner picks."""
    return key_hash(key) % partitions
