"""POST /v1/reports against real Kafka and PostgreSQL: durability, dedup, per-report answers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.ingest.app import create_app
from tests.integration.ingest.conftest import Seeded, ingest_settings, reports_on_topic
from tests.support.asgi import running


def turnout(station: str = "ALA-0123", ballots: int = 450, report_id: str | None = None) -> dict[str, Any]:
    return {
        "id": report_id or str(uuid.uuid4()),
        "station_id": station,
        "observed_at": datetime.now(UTC).isoformat(),
        "turnout": {"ballots_issued": ballots, "home_voting_applications": 12},
    }


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_report_sent_three_times_is_on_the_topic_once(
    client: httpx.AsyncClient, seeded: Seeded, shared_settings: SharedSettings
) -> None:
    report = turnout()
    answers = [await client.post("/v1/reports", json=report, headers=auth(seeded.token)) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert [a.json()["results"][0]["status"] for a in answers] == ["accepted", "duplicate", "duplicate"]
    # Three concurrent copies of another report: one is written, the others wait for it.
    again = turnout(ballots=500)
    concurrent = await asyncio.gather(
        *(client.post("/v1/reports", json=again, headers=auth(seeded.token)) for _ in range(3))
    )
    assert sorted(a.json()["results"][0]["status"] for a in concurrent) == [
        "accepted",
        "duplicate",
        "duplicate",
    ]
    on_topic = await reports_on_topic(shared_settings)
    assert sorted(r.id for r in on_topic) == sorted([report["id"], again["id"]])
    first = next(r for r in on_topic if r.id == report["id"])
    assert first.body == ev.TurnoutUpdate(450, 12)
    assert first.monitor_id == seeded.monitor_id
    assert first.channel is ev.Channel.HTTP
    assert first.station_id == "ALA-0123"


async def test_an_acceptance_recorded_after_the_answer_is_kept_for_the_next_process(
    shared_settings: SharedSettings, seeded: Seeded, db: asyncpg.Connection
) -> None:
    """The 202 does not wait for the dedup record; shutdown does, and a new process (empty
    cache) then finds the id accepted in PostgreSQL."""
    report = turnout(ballots=321)
    # The longest accept linger: the record waits for a claim that never comes.
    settings = ingest_settings(shared_settings, dedup_accept_linger_ms=50)
    async with running(create_app(settings)) as first:
        answer = await first.post("/v1/reports", json=report, headers=auth(seeded.token))
        assert answer.json()["results"][0]["status"] == "accepted"
        again = await first.post("/v1/reports", json=report, headers=auth(seeded.token))
        assert again.json()["results"][0]["status"] == "duplicate"  # from this process's memory
    query = "SELECT accepted_at IS NOT NULL FROM ingest_dedup WHERE id = $1"
    assert await db.fetchval(query, report["id"]) is True
    async with running(create_app(ingest_settings(shared_settings))) as second:
        resent = await second.post("/v1/reports", json=report, headers=auth(seeded.token))
        assert resent.json()["results"][0]["status"] == "duplicate"
    assert [r.id for r in await reports_on_topic(shared_settings)] == [report["id"]]


async def test_a_batch_with_one_bad_report_accepts_the_rest_and_names_the_bad_one(
    client: httpx.AsyncClient, seeded: Seeded, shared_settings: SharedSettings
) -> None:
    good = [turnout(ballots=100 + i) for i in range(4)]
    bad = turnout(ballots=-5)
    duplicate_in_batch = dict(good[0])
    batch = {"reports": [good[0], good[1], bad, good[2], good[3], duplicate_in_batch]}
    answer = await client.post("/v1/reports", json=batch, headers=auth(seeded.token))
    assert answer.status_code == 202
    body = answer.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (4, 1, 1)
    assert body["results"][2] == {
        "index": 2,
        "id": bad["id"],
        "status": "rejected",
        "errors": [
            {
                "field": "reports[2].turnout.ballots_issued",
                "code": "negative",
                "message": "must not be negative, got -5",
            }
        ],
    }
    assert body["results"][5]["status"] == "duplicate"
    on_topic = await reports_on_topic(shared_settings)
    assert sorted(r.id for r in on_topic) == sorted(g["id"] for g in good)


async def test_protobuf_batches_and_single_reports_are_accepted(
    client: httpx.AsyncClient, seeded: Seeded, shared_settings: SharedSettings
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    protocol = ev.FinalProtocol(1000, 1000, 640, 638, 630, 8, {"P01": 400, "P02": 230}, False)
    reports = [
        ev.Report("pb-1", "ALA-0123", "ignored", ev.Channel.HTTP, now, now, protocol),
        ev.Report(
            "pb-2",
            "ALA-0456",
            "ignored",
            ev.Channel.HTTP,
            now,
            now,
            ev.Incident(ev.ViolationType.CAROUSEL_VOTING, "bus"),
        ),
    ]
    answer = await client.post(
        "/v1/reports",
        content=codec.report_batch_to_proto_bytes(reports),
        headers=auth(seeded.token) | {"Content-Type": "application/x-protobuf"},
    )
    assert answer.status_code == 202, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["accepted", "accepted"]
    single = ev.Report("pb-3", "ALA-0123", "", ev.Channel.HTTP, now, now, ev.TurnoutUpdate(10))
    answer = await client.post(
        "/v1/reports",
        content=codec.encode_report(single),
        headers=auth(seeded.token)
        | {"Content-Type": "application/x-protobuf; messageType=pollwatch.v1.Report"},
    )
    assert answer.json()["results"][0]["status"] == "accepted"
    on_topic = {r.id: r for r in await reports_on_topic(shared_settings)}
    assert on_topic["pb-1"].body == protocol
    assert on_topic["pb-1"].monitor_id == seeded.monitor_id
    assert on_topic["pb-2"].body == ev.Incident(ev.ViolationType.CAROUSEL_VOTING, "bus")
    assert on_topic["pb-3"].body == ev.TurnoutUpdate(10)


async def test_a_protocol_with_the_2011_party_names_reaches_kafka_as_sent(
    client: httpx.AsyncClient, seeded: Seeded, shared_settings: SharedSettings
) -> None:
    """Names are data: the 2011 Duma parties' names as the commission printed them (40-79 chars)."""
    votes = {
        '2. Политическая партия "Либерально-демократическая партия России"': 120,
        '4. Политическая партия "Коммунистическая партия Российской Федерации"': 210,
        '5. Политическая партия "Российская объединенная демократическая партия "ЯБЛОКО"': 45,
        '6. Всероссийская политическая партия "ЕДИНАЯ РОССИЯ"': 255,
    }
    report = {
        "id": "duma-2011-1",
        "station_id": "ALA-0123",
        "observed_at": datetime.now(UTC).isoformat(),
        "protocol": {
            "registered_voters": 1000,
            "ballots_received": 1000,
            "ballots_issued": 640,
            "ballots_cast": 638,
            "valid_ballots": 630,
            "invalid_ballots": 8,
            "votes": votes,
            "copy_received": True,
        },
    }
    answer = await client.post("/v1/reports", json=report, headers=auth(seeded.token))
    assert answer.status_code == 202, answer.text
    (on_topic,) = await reports_on_topic(shared_settings)
    assert isinstance(on_topic.body, ev.FinalProtocol)
    assert dict(on_topic.body.votes) == votes


async def test_turnout_above_registered_is_accepted_and_flagged(
    client: httpx.AsyncClient, seeded: Seeded, shared_settings: SharedSettings
) -> None:
    report = turnout(ballots=1001)  # ALA-0123 has 1,000 registered voters
    answer = await client.post("/v1/reports", json=report, headers=auth(seeded.token))
    assert answer.json()["results"][0]["status"] == "accepted"
    (on_topic,) = await reports_on_topic(shared_settings)
    assert on_topic.flags == frozenset({ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED})


async def test_wrong_token_is_401_and_wrong_station_is_403(
    client: httpx.AsyncClient, seeded: Seeded, db: Any, shared_settings: SharedSettings
) -> None:
    report = turnout()
    assert (await client.post("/v1/reports", json=report)).status_code == 401
    wrong = await client.post("/v1/reports", json=report, headers=auth("pw_not-a-token"))
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Bearer")
    forbidden = await client.post("/v1/reports", json=report, headers=auth(seeded.other_token))
    assert forbidden.status_code == 403
    assert forbidden.json()["results"][0]["errors"][0]["code"] == "station_not_assigned"
    unknown = await client.post("/v1/reports", json=turnout(station="XXX-9999"), headers=auth(seeded.token))
    assert unknown.status_code == 422
    assert unknown.json()["results"][0]["errors"][0]["code"] == "unknown_station"
    await db.execute("UPDATE monitors SET revoked_at = now() WHERE id = $1", seeded.monitor_id)
    revoked = await client.post("/v1/reports", json=report, headers=auth(seeded.token))
    assert revoked.status_code == 401
    assert await reports_on_topic(shared_settings) == []


async def test_malformed_oversized_and_unsupported_bodies(client: httpx.AsyncClient, seeded: Seeded) -> None:
    headers = auth(seeded.token)
    malformed = await client.post(
        "/v1/reports", content=b"{not json", headers=headers | {"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "malformed"
    huge = await client.post(
        "/v1/reports",
        content=b"[" + b" " * (3 * 1024 * 1024) + b"]",
        headers=headers | {"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    too_many = await client.post(
        "/v1/reports", json={"reports": [turnout() for _ in range(1001)]}, headers=headers
    )
    assert too_many.status_code == 413
    xml = await client.post(
        "/v1/reports", content=b"<report/>", headers=headers | {"Content-Type": "text/xml"}
    )
    assert xml.status_code == 415
    future = turnout()
    future["observed_at"] = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    answer = await client.post("/v1/reports", json=future, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["results"][0]["errors"][0]["field"] == "observed_at"


async def test_service_endpoints(client: httpx.AsyncClient, seeded: Seeded) -> None:
    await client.post("/v1/reports", json=turnout(), headers=auth(seeded.token))
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    metrics = (await client.get("/metrics")).text
    assert (
        'pollwatch_ingest_reports_total{channel="http",kind="turnout",outcome="accepted",reason=""} 1.0'
        in metrics
    )
    assert "pollwatch_ingest_kafka_produce_duration_seconds_count 1.0" in metrics
    assert "pollwatch_ingest_requests_in_flight" in metrics
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= {"/v1/reports", "/v1/sms"}
