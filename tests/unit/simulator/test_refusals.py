"""Refused reports are grouped by code and field, with an example each, from ingest's answers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from services.common.contracts import events as ev
from services.simulator.batch_sender import Batch, Sent, take_answer
from services.simulator.delivery import Delivery
from services.simulator.progress import plain_line
from services.simulator.provision import Credentials
from services.simulator.refusals import Example, Refusals, field_group
from services.simulator.scenario import PlannedReport
from services.simulator.sender import Sender

LONG_NAME = "x" * 201


def answer(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body)


def rejected(index: int, report_id: str, field: str, code: str, message: str) -> dict[str, object]:
    return {
        "index": index,
        "id": report_id,
        "status": "rejected",
        "errors": [{"field": field, "code": code, "message": message}],
    }


def test_batch_positions_and_list_indexes_do_not_split_a_group() -> None:
    assert field_group("reports[12].protocol.votes.P01") == "protocol.votes.P01"
    assert field_group("reports[3].incident.evidence_urls[2]") == "incident.evidence_urls[]"
    assert field_group("observed_at") == "observed_at"


def test_a_refused_batch_is_grouped_by_code_and_field_with_its_first_example() -> None:
    batch = Batch("t", [{"id": f"r{i}"} for i in range(4)])
    body = {
        "accepted": 1,
        "rejected": 3,
        "results": [
            rejected(0, "r0", f"reports[0].protocol.votes.{LONG_NAME}", "bad_party", "names are 1-200"),
            rejected(1, "r1", f"reports[1].protocol.votes.{LONG_NAME}", "bad_party", "names are 1-200"),
            rejected(2, "r2", "reports[2].observed_at", "in_future", "is 400 s ahead"),
            {"index": 3, "id": "r3", "status": "accepted"},
        ],
    }
    sent = Sent()
    take_answer(sent, batch, answer(202, body))
    assert sent.outcomes == {"rejected": 3, "accepted": 1}
    assert sent.lost == 3
    lines = sent.summary()
    assert lines[0] == "outcomes: accepted=1, rejected=3"
    assert lines[1] == "3 reports refused by ingest:"
    assert lines[2] == f"  2 x bad_party at protocol.votes.{LONG_NAME}: names are 1-200 (e.g. report r0)"
    assert lines[3] == "  1 x in_future at observed_at: is 400 s ahead (e.g. report r2)"


def test_a_request_refused_whole_counts_every_report_under_its_error() -> None:
    batch = Batch("t", [{"id": "a"}, {"id": "b"}])
    sent = Sent()
    take_answer(sent, batch, answer(401, {"error": {"code": "invalid_token", "message": "unknown"}}))
    assert sent.outcomes == {"rejected": 2}
    assert list(sent.refused.lines())[1:] == ["  2 x http_401 invalid_token: unknown (e.g. report a)"]


def test_nothing_lost_means_an_empty_reason_list() -> None:
    sent = Sent()
    take_answer(
        sent, Batch("t", [{"id": "a"}]), answer(202, {"results": [{"id": "a", "status": "duplicate"}]})
    )
    assert sent.lost == 0
    assert sent.summary() == ["outcomes: duplicate=1"]


def test_merged_refusals_add_up_and_keep_the_first_example() -> None:
    first, second = Refusals(), Refusals()
    first.refused("bad_party", "protocol.votes.X", Example("r1", "too long"))
    second.refused("bad_party", "protocol.votes.X", Example("r9", "too long"))
    second.refused("sms_rejected", "text", Example("r8", "NOT SAVED"))
    first.merge(second)
    assert first.reports == 3
    assert list(first.lines()) == [
        "3 reports refused by ingest:",
        "  2 x bad_party at protocol.votes.X: too long (e.g. report r1)",
        "  1 x sms_rejected at text: NOT SAVED (e.g. report r8)",
    ]


def test_the_plain_progress_line_gives_count_rate_and_time_left() -> None:
    assert plain_line("replay", 120_000, 570_000, 2104.4, 214.2) == (
        "replay: 120,000/570,000 reports, 2,104/s, about 3 min 34 s left"
    )
    assert plain_line("replay", 0, 10, None, None) == "replay: 0/10 reports"


def test_the_simulator_counts_refused_sms_and_reports_with_their_reasons() -> None:
    """An SMS the gateway answers 200 with status "rejected" is lost, not "sms_ok"."""

    def ingest(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sms":
            return httpx.Response(200, json={"reply": "NOT SAVED. Unknown station", "status": "rejected"})
        error = {"field": "observed_at", "code": "in_future", "message": "is 400 s ahead"}
        return httpx.Response(422, json={"results": [{"index": 0, "id": "r-json", "errors": [error]}]})

    now = datetime(2026, 3, 1, 4, tzinfo=UTC)
    creds = {"S1": Credentials("m", "token", "+99900001")}
    deliveries = [
        Delivery(0.0, PlannedReport(now, "r-sms", "S1", ev.TurnoutUpdate(10), sms=True)),
        Delivery(0.0, PlannedReport(now, "r-json", "S1", ev.TurnoutUpdate(11))),
    ]
    sender = Sender("http://ingest", creds, transport=httpx.MockTransport(ingest))
    asyncio.run(sender.run(deliveries))
    assert sender.delivered == set()
    assert sender.sent.lost == 2
    assert sender.sent.summary()[1:] == [
        "2 reports refused by ingest:",
        "  1 x in_future at observed_at: is 400 s ahead (e.g. report r-json)",
        "  1 x sms_rejected at text: NOT SAVED. Unknown station (e.g. report r-sms)",
    ]
