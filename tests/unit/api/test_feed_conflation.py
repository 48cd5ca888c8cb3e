"""The feed's per-batch conflation of compacted topics: only each key's latest value is published."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from services.api.live.feed import latest_per_key


@dataclass(frozen=True)
class Record:
    key: bytes | None
    offset: int


def _records(keys: list[bytes | None]) -> list[Record]:
    return [Record(key, offset) for offset, key in enumerate(keys)]


def test_a_keys_older_values_in_the_batch_are_dropped_keyless_records_kept() -> None:
    records = _records([b"S1", b"S2", None, b"S1", None, b"S3", b"S2"])
    assert [(r.key, r.offset) for r in latest_per_key(records)] == [
        (b"S1", 3),
        (b"S2", 6),
        (None, 2),
        (None, 4),
        (b"S3", 5),
    ]


def test_a_batch_without_repeated_keys_is_returned_as_is() -> None:
    records = _records([b"S1", b"S2", None, b""])
    assert latest_per_key(records) is records


@given(st.lists(st.sampled_from([b"A", b"B", b"C", b"", None]), max_size=30))
def test_exactly_each_keys_last_record_and_every_keyless_one(keys: list[bytes | None]) -> None:
    records = _records(keys)
    kept = latest_per_key(records)
    last = {r.key: r.offset for r in records if r.key is not None}
    assert sorted(r.offset for r in kept if r.key is not None) == sorted(last.values())
    assert [r.offset for r in kept if r.key is None] == [r.offset for r in records if r.key is None]
    # Keys keep the order they first appeared in.
    first = [r.key for r in records if r.key is not None]
    assert [r.key for r in kept if r.key is not None] == list(dict.fromkeys(first))
