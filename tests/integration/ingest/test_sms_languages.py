"""SMS typed in Russian and Kazakh through POST /v1/sms, the aggregator and into the read model,
on real Kafka and PostgreSQL: each monitor is answered in their language, in one SMS."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from typer.testing import CliRunner, Result

from services.cli import app
from services.common.infra.settings import SharedSettings
from tests.integration.aggregator.harness import aggregator
from tests.integration.ingest.conftest import OTHER_PHONE, PHONE, Seeded, dead_letters_on_topic
from tests.support.processes import Service
from tests.support.sms_segments import segments

KAZAKH_PHONE = "+77015550303"
PROTOCOL = "П 0123 Р1000 Б1000 Г640 С638 Д630 Х8 П1=400 П2=230 НЕТ КОПИИ"


async def sms(client: httpx.AsyncClient, text: str, phone: str = PHONE) -> dict[str, Any]:
    answer = await client.post("/v1/sms", data={"from": phone, "text": text})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def monitors_command(shared: SharedSettings, *args: str) -> Result:
    """`pollwatch monitors ...`, off the event loop (the command runs its own)."""
    env = {"POLLWATCH_DATABASE_URL": shared.database_url.get_secret_value()}
    return await asyncio.to_thread(CliRunner().invoke, app, ["monitors", *args], env=env)


async def wait_for_read_model(db: asyncpg.Connection, ids: set[str], service: Service) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while True:
        if service.process.poll() is not None:
            raise RuntimeError(f"aggregator exited:\n{service.log_tail()}")
        rows = await db.fetch("SELECT id, station_id, kind, body FROM reports WHERE id = ANY($1)", list(ids))
        stats = await db.fetch("SELECT * FROM station_stats")
        if len(rows) == len(ids) and sum(s["reports_processed"] for s in stats) >= len(ids):
            return {
                "reports": {r["id"]: (r["station_id"], r["kind"], json.loads(r["body"])) for r in rows},
                "stations": {s["station_id"]: dict(s) for s in stats},
            }
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(rows)} of {len(ids)} reports in the read model\n{service.log_tail()}")
        await asyncio.sleep(0.3)


# (phone, text, the reply's start, a piece of it)
TEXTS = [
    (PHONE, "Т 0123 450", "ОК Явка ALA-0123: выдано 450, на дому 0.", "ОК "),
    (PHONE, "ЯВКА 0456 280 Н9", "ОК Явка ALA-0456: выдано 280, на дому 9.", "ОК "),
    (PHONE, "В 0123 ВС", "ОК Нарушение ALA-0123: вброс бюллетеней (ВБ).", "ОК "),
    (PHONE, "Н 0456 КР автобус у входа", "ОК Нарушение ALA-0456: карусель (КР).", "ОК "),
    (PHONE, "О 0123 ДДДНДДД печать сорвана", "ОК Открытие ALA-0123: да 6, нет 1 (№ 4).", "ОК "),
    (PHONE, PROTOCOL, "ОК ALA-0123: Р1000 Б1000 Г640 С638 Д630 Х8, без копии.", "ОК "),
    (PHONE, "К 0456 300 Ү12", "ОК Келу ALA-0456: 300 берілді, үйде 12.", "ОК "),
    (PHONE, "Б 0456 БС екі адам", "ОК Бұзушылық ALA-0456: бюллетеньді заңсыз салу (БС).", "ОК "),
    (PHONE, "Ж 0456 ИИИИИИЖ", "ОК Жабылу ALA-0456: иә 6, жоқ 1 (№ 7).", "ОК "),
    (KAZAKH_PHONE, "T 0123 100", "ОК Келу AKM-0123: 100 берілді, үйде 0.", "ОК "),  # --lang kk
    (OTHER_PHONE, "Т 0777 200 Н4", "OK T AKM-0777: 200 ballots issued, 4 home-voting", "OK "),  # lang en
]


async def test_russian_and_kazakh_texts_reach_the_read_model_with_replies_in_one_sms(
    client: httpx.AsyncClient,
    seeded: Seeded,
    shared_settings: SharedSettings,
    db: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    kazakh = ("--name", "Monitor K", "--station", "AKM-0123", "--phone", KAZAKH_PHONE, "--lang", "kk")
    added = await monitors_command(shared_settings, "add", *kazakh)
    assert added.exit_code == 0, added.output
    await db.execute("UPDATE monitors SET lang = 'en' WHERE id = $1", seeded.other_id)
    listed = await monitors_command(shared_settings, "list")
    assert "\tkk\tAKM-0123\tMonitor K" in listed.stdout

    with aggregator(shared_settings, tmp_path) as service:
        assert service.wait_ready().status_code == 200
        ids: dict[str, str] = {}
        for phone, text, start, piece in TEXTS:
            answer = await sms(client, text, phone)
            assert answer["status"] == "accepted", (text, answer)
            assert answer["reply"].startswith(start), (text, answer["reply"])
            assert piece in answer["reply"], (text, answer["reply"])
            assert segments(answer["reply"]) == 1, answer["reply"]
            ids[answer["report_id"]] = text
        again = await sms(client, "т 0123 45О")
        assert again["status"] == "duplicate"
        assert again["reply"].startswith("Уже получено, повторять не нужно: явка ALA-0123. №")
        assert segments(again["reply"]) == 1
        model = await wait_for_read_model(db, set(ids), service)

    by_text = {ids[report_id]: row for report_id, row in model["reports"].items()}
    turnout = {"ballots_issued": 450, "home_voting_applications": 0}
    assert by_text["Т 0123 450"] == ("ALA-0123", "turnout", turnout)
    russian = {"ballots_issued": 280, "home_voting_applications": 9}
    assert by_text["ЯВКА 0456 280 Н9"] == ("ALA-0456", "turnout", russian)
    assert by_text["В 0123 ВС"][2]["violation"] == "ballot_stuffing"
    assert by_text["Н 0456 КР автобус у входа"][2]["description"] == "автобус у входа"
    protocol = by_text[PROTOCOL][2]
    assert (protocol["valid_ballots"], protocol["copy_received"]) == (630, False)
    assert protocol["votes"] == {"P01": 400, "P02": 230}
    stations = model["stations"]
    assert stations["ALA-0456"]["ballots_issued"] == 300
    assert stations["ALA-0456"]["home_voting_applications"] == 12
    assert json.loads(stations["ALA-0456"]["incidents_total"]) == {"CAROUSEL_VOTING": 1, "BALLOT_STUFFING": 1}
    assert stations["AKM-0123"]["ballots_issued"] == 100
    assert stations["AKM-0777"]["home_voting_applications"] == 4


@pytest.mark.parametrize(
    ("phone", "text", "reply", "dead_letter"),
    [
        (
            PHONE,
            "Т 0999 450",
            "НЕ ПРИНЯТО. Участок 0999 не ваш. Ваши: ALA-0123, ALA-0456.",
            "station_not_assigned: Station 0999 is not one of your stations",
        ),
        (
            PHONE,
            "Н 0123 ЪЪ",
            "НЕ ПРИНЯТО. Неизвестный код «ЪЪ». Коды: ПОМОЩЬ Н",
            "unknown_violation: Unknown violation code 'ЪЪ'.",
        ),
        (
            PHONE,
            "Б 0123",
            "ҚАБЫЛДАНБАДЫ. Бұзушылық коды жоқ. Мысалы: Б 0123 БС. Кодтар: КӨМЕК Б",
            "no_violation: Violation code missing.",
        ),
        (
            PHONE,
            "Т 0123 9999999",
            "НЕ ПРИНЯТО. Число 9999999 слишком большое (не больше 1000000).",
            "impossible: ballots issued: 9999999 is more than",
        ),
        (
            "+77000000000",
            "Т 0123 450",
            "НЕ ПРИНЯТО. Этот номер не зарегистрирован. Позвоните координатору.",
            "unknown_sender: This phone is not registered",
        ),
        (
            "+77000000000",
            "КӨМЕК",
            "ҚАБЫЛДАНБАДЫ. Бұл нөмір тіркелмеген. Үйлестірушіге хабарласыңыз.",
            "unknown_sender: This phone is not registered",
        ),
    ],
)
async def test_refusals_are_answered_in_the_language_of_the_text(
    client: httpx.AsyncClient,
    seeded: Seeded,
    shared_settings: SharedSettings,
    phone: str,
    text: str,
    reply: str,
    dead_letter: str,
) -> None:
    answer = await sms(client, text, phone)
    assert (answer["status"], answer["reply"]) == ("rejected", reply)
    assert segments(reply) == 1
    (letter,) = await dead_letters_on_topic(shared_settings)
    assert letter.payload.decode() == text
    assert letter.error.startswith(dead_letter)  # in English, for whoever reads the topic


async def test_help_is_in_the_language_asked(client: httpx.AsyncClient, seeded: Seeded) -> None:
    assert (await sms(client, "ПОМОЩЬ"))["reply"].startswith("Я явка, Н нарушение")
    assert (await sms(client, "көмек б"))["reply"].startswith("Б 0123 БС + не болғаны. Кодтар: БС")
    assert (await sms(client, "HELP"))["reply"].startswith("Forms: T turnout")


async def test_a_language_outside_en_ru_kk_is_refused(
    shared_settings: SharedSettings, db: asyncpg.Connection
) -> None:
    refused = await monitors_command(shared_settings, "add", "--name", "X", "--station", "S", "--lang", "de")
    assert refused.exit_code == 2
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute(
            "INSERT INTO monitors (id, display_name, token_hash, lang) VALUES ('m-de', 'x', 'h-de', 'de')"
        )
