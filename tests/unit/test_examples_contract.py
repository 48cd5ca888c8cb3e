"""Every example payload beside the schemas is its topic's type and survives a round trip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from google.protobuf import json_format
from google.protobuf.message import Message

from services.common.contracts import codec, topics
from services.common.contracts.generated.pollwatch.v1 import (
    alert_pb2,
    broadcast_pb2,
    deadletter_pb2,
    report_pb2,
    stats_pb2,
    verification_pb2,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "proto" / "examples"

# topic message type -> (protobuf class, to values, from values)
CODECS: dict[str, tuple[type[Message], Callable[..., object], Callable[..., Message]]] = {
    "pollwatch.v1.Report": (report_pb2.Report, codec.report_from_proto, codec.report_to_proto),
    "pollwatch.v1.StationStats": (
        stats_pb2.StationStats,
        codec.station_stats_from_proto,
        codec.station_stats_to_proto,
    ),
    "pollwatch.v1.RegionStats": (
        stats_pb2.RegionStats,
        codec.region_stats_from_proto,
        codec.region_stats_to_proto,
    ),
    "pollwatch.v1.Alert": (alert_pb2.Alert, codec.alert_from_proto, codec.alert_to_proto),
    "pollwatch.v1.DeadLetter": (
        deadletter_pb2.DeadLetter,
        codec.dead_letter_from_proto,
        codec.dead_letter_to_proto,
    ),
    "pollwatch.v1.Broadcast": (broadcast_pb2.Broadcast, codec.broadcast_from_proto, codec.broadcast_to_proto),
    "pollwatch.v1.VerificationDecision": (
        verification_pb2.VerificationDecision,
        codec.verification_decision_from_proto,
        codec.verification_decision_to_proto,
    ),
}

CASES = sorted(EXAMPLES.glob("*/*.json"))


def test_every_topic_has_examples_and_a_codec() -> None:
    assert topics.ALL, "the registry declares no topic"
    for topic in topics.ALL:
        assert list((EXAMPLES / topic.name).glob("*.json")), f"no example for {topic.name}"
        assert topic.message in CODECS


def test_no_example_for_an_unknown_topic() -> None:
    assert {p.parent.name for p in CASES} == {t.name for t in topics.ALL}


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_round_trips(path: Path) -> None:
    topic = topics.by_name(path.parent.name)
    cls, to_values, to_proto = CODECS[topic.message]
    assert cls.DESCRIPTOR.full_name == topic.message
    parsed = json_format.Parse(path.read_text(), cls())
    values = to_values(parsed)
    again = to_proto(values)
    assert json_format.MessageToDict(again) == json_format.MessageToDict(parsed)
    assert to_values(again) == values
