"""The internal station-summaries topic's wire format: one message per station batch.

A message carries the encoded StationStats of every station a batch changed, each prefixed by its
length (4 bytes, big-endian), so the region agent handles one message per batch, not per station.
Ticks are messages with an empty key; a batch has the key BATCH.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

from services.common.errors import DecodeError

TICK = b""
BATCH = b"\x00batch"
_LEN = struct.Struct(">I")


def encode_tick(wall: float) -> bytes:
    return struct.pack(">d", wall)


def decode_tick(data: bytes) -> float:
    return float(struct.unpack(">d", data)[0])


def pack(values: Sequence[bytes]) -> bytes:
    return b"".join(_LEN.pack(len(v)) + v for v in values)


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
