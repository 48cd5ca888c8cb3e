"""Every field is bounded, and the largest report validation accepts fits in one Kafka message
(services/ingest/validation.py, producer.MAX_MESSAGE_BYTES): a report that could never be
written is refused as too large (413/422), never answered 503 for a resend that cannot help."""

from __future__ import annotations

from typing import Any

from aiokafka.record.default_records import DefaultRecordBatchBuilder

from services.common.contracts import codec
from services.common.contracts import events as ev
from services.ingest.producer import MAX_MESSAGE_BYTES
from services.ingest.validation import Rejected, validate_report
from tests.support.largest_reports import largest_reports


def test_the_largest_acceptable_report_of_each_kind_fits_one_kafka_message() -> None:
    raws, ctx = largest_reports()
    sizes = {}
    for raw in raws:
        report = validate_report(raw, ctx)
        assert isinstance(report, ev.Report), report
        # What aiokafka compares with max_request_size before it takes a message.
        sizes[report.kind.value] = DefaultRecordBatchBuilder.estimate_size_in_bytes(
            report.station_id.encode(), codec.encode_report(report), []
        )
    assert max(sizes.values()) <= MAX_MESSAGE_BYTES, sizes
    # The margin is wide: a bound raised tenfold would still fit.
    assert max(sizes.values()) * 10 <= MAX_MESSAGE_BYTES, sizes


def grown(raw: dict[str, Any], path: str, more: Any) -> dict[str, Any]:
    """`raw` with `more` added to the text, list or map at `path` ("incident.description")."""
    body_name, field = path.split(".")
    body = dict(raw[body_name])
    value = body[field]
    body[field] = value + more if isinstance(value, str | list) else {**value, **more}
    return {**raw, body_name: body}


def test_one_more_of_anything_is_refused_by_name() -> None:
    (checklist, incident, protocol), ctx = largest_reports()
    more = [
        (checklist, "checklist.note", "x", "too_long"),
        (checklist, "checklist.answers", {"extra": True}, "too_many"),
        (incident, "incident.description", "x", "too_long"),
        (incident, "incident.evidence_urls", ["https://x"], "too_many"),
        (incident, "incident.evidence_ids", ["f" * 64], "too_many"),
        (protocol, "protocol.evidence_ids", ["f" * 64], "too_many"),
        (protocol, "protocol.votes", {"Z": 1}, "too_many"),
    ]
    for raw, path, extra, code in more:
        refused = validate_report(grown(raw, path, extra), ctx)
        assert isinstance(refused, Rejected)
        assert [(e.field, e.code) for e in refused.errors] == [(path, code)]


def test_an_80000_answer_checklist_is_one_clear_error() -> None:
    raws, ctx = largest_reports()
    answers = {f"item_{i}": True for i in range(80_000)}
    refused = validate_report({**raws[0], "checklist": {"phase": "opening", "answers": answers}}, ctx)
    assert isinstance(refused, Rejected)
    assert [(e.field, e.code, e.message) for e in refused.errors] == [
        ("checklist.answers", "too_many", "at most 100 answers, got 80000")
    ]
