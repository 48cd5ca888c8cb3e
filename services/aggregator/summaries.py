"""The internal station-summaries topic's wire format: one message per station batch.

A message carries the encoded StationStats of stations a batch changed, each prefixed by its
length (4 bytes, big-endian), so the region agent handles one message per batch, not per station.
A batch's figures are split into messages of at most `MESSAGE_BYTES` (`split`): a catch-up batch
of a national day changes thousands of stations, and one message of them all (1-2 MB) was refused
by the producer (max_request_size, 1 MiB), which crashed the station agent.
Ticks are messages with an empty key; a batch has the key BATCH; after a batch's figures, a
message keyed MARKS says how far the batch read each of its partitions (domain/partition_marks.py).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from services.aggregator.domain.partition_marks import PartitionMark
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError

TICK = b""
BATCH = b"\x00batch"
MARKS = b"\x00marks"
_LEN = struct.Struct(">I")
_MARK = struct.Struct(">Iq?")  # partition, newest observed_at (microseconds since the epoch), behind
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Well below the producer's and the broker's 1 MiB limits.
MESSAGE_BYTES = 256 * 1024


def encode_tick(wall: float) -> bytes:
    return struct.pack(">d", wall)


def decode_tick(data: bytes) -> float:
    return float(struct.unpack(">d", data)[0])


def encode_marks(marks: Sequence[PartitionMark]) -> bytes:
    return b"".join(
        _MARK.pack(m.partition, (m.newest - _EPOCH) // timedelta(microseconds=1), m.behind) for m in marks
    )


def decode_marks(data: bytes) -> list[PartitionMark]:
    if len(data) % _MARK.size:
        raise DecodeError(f"station summaries: marks of {len(data)} bytes")
    return [
        PartitionMark(partition, _EPOCH + timedelta(microseconds=micros), behind)
        for partition, micros, behind in _MARK.iter_unpack(data)
    ]


def pack(values: Sequence[bytes]) -> bytes:
    return b"".join(_LEN.pack(len(v)) + v for v in values)


def split(values: Sequence[bytes], limit: int = MESSAGE_BYTES) -> list[slice]:
    """Consecutive slices of `values` whose packed size is at most `limit` each (a single value
    larger than that gets a slice of its own)."""
    parts: list[slice] = []
    start, size = 0, 0
    for i, value in enumerate(values):
        packed = _LEN.size + len(value)
        if i > start and size + packed > limit:
            parts.append(slice(start, i))
            start, size = i, 0
        size += packed
    if start < len(values):
        parts.append(slice(start, len(values)))
    return parts


def unpack(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    at = 0
    while at < len(view):
        if at + 4 > len(view):
            raise DecodeError("station summaries: truncated length")
        (n,) = _LEN.unpack_from(view, at)
        at += 4
        if at + n > len(view):
            raise DecodeError("station summaries: truncated value")
        yield bytes(view[at : at + n])
        at += n


class SentFigures:
    """The figures of the batches this worker sent lately, by packed message: a region agent in
    the same worker takes them back instead of decoding what the station agent has just encoded
    (that decoding was 4-7 % of a busy worker). Bounded by `keep` figures, oldest dropped first:
    when the region agent runs in another worker nothing here is taken back."""

    def __init__(self, keep: int = 50_000) -> None:
        self._keep = keep
        self._held = 0
        self._by_message: dict[bytes, Sequence[ev.StationStats]] = {}

    def add(self, message: bytes, figures: Sequence[ev.StationStats]) -> None:
        self.take(message)  # the same message again: held once
        self._by_message[message] = figures
        self._held += len(figures)
        while self._held > self._keep and len(self._by_message) > 1:
            oldest = next(iter(self._by_message))
            self._held -= len(self._by_message.pop(oldest))

    def take(self, message: bytes) -> Sequence[ev.StationStats] | None:
        """The figures packed in `message`, if this worker sent it and still holds them."""
        figures = self._by_message.pop(message, None)
        if figures is not None:
            self._held -= len(figures)
        return figures
