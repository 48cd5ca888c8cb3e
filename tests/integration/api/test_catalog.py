"""Alert texts, rule and violation names in the reader's language: written by the aggregator's sink
into real PostgreSQL, read through the API; and the same texts live over a real Kafka topic."""

from __future__ import annotations

from dataclasses import replace

import asyncpg
from aiokafka import AIOKafkaProducer

from services.aggregator.sink import write_alerts
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient, gql
from tests.integration.api.conftest import Api
from tests.unit.api.factories import alert

GRAVE = replace(
    alert("G1", ev.Severity.CRITICAL),
    rule="grave_incident",
    message="Ballot stuffing reported, confirmed by a second monitor",
    texts=(ev.AlertText("grave_incident.corroborated", {"violation": "ballot_stuffing"}),),
)
JUMP = replace(
    alert("J1", ev.Severity.CRITICAL),
    rule="turnout_jump",
    message="Turnout rose 17.3 pp within 60 min (threshold 15 pp)",
    texts=(ev.AlertText("turnout_jump", {"rise": 17.3, "window": 60, "threshold": 15}),),
)
ALERT_FIELDS = """id rule texts { key params ru: text(lang: RU) } ruleName(lang: KK)
    en: messageFor(lang: EN) ru: messageFor(lang: RU) kk: messageFor(lang: KK)"""


async def test_alerts_read_in_each_language_from_their_texts(
    api: Api, keys: dict[str, str], db: asyncpg.Connection
) -> None:
    await write_alerts(db, [GRAVE, JUMP])
    body = await gql(api.url, f"{{ alerts(first: 10) {{ nodes {{ {ALERT_FIELDS} }} }} }}", keys["partner"])
    assert "errors" not in body, body
    nodes = {n["id"]: n for n in body["data"]["alerts"]["nodes"]}
    assert nodes["G1"] == {
        "id": "G1",
        "rule": "grave_incident",
        "texts": [
            {
                "key": "grave_incident.corroborated",
                "params": {"violation": "ballot_stuffing"},
                "ru": "Вброс бюллетеней: подтвердил второй наблюдатель",
            }
        ],
        "ruleName": "Өрескел бұзушылық",
        "en": "Ballot stuffing reported, confirmed by a second monitor",
        "ru": "Вброс бюллетеней: подтвердил второй наблюдатель",
        "kk": "Бюллетеньдерді заңсыз салу: екінші байқаушы растады",
    }
    assert nodes["J1"]["texts"][0]["params"] == {"rise": 17.3, "window": 60, "threshold": 15}
    assert nodes["J1"]["ru"] == "Явка выросла на 17,3 п. п. за 60 мин (порог 15 п. п.)"
    # An alert written before texts existed reads by its English message in every language.
    assert nodes["A1"]["texts"] == []
    assert nodes["A1"]["ru"] == nodes["A1"]["en"] == "turnout rose fast"

    # Resolved: marked as cleared in the reader's language.
    await write_alerts(db, [replace(JUMP, state=ev.AlertState.RESOLVED, version=2)])
    body = await gql(
        api.url, "{ alerts(state: RESOLVED) { nodes { id kk: messageFor(lang: KK) } } }", keys["partner"]
    )
    assert {
        "id": "J1",
        "kk": "Шешілді: Келу 60 минутта 17,3 пайыздық тармаққа өсті (шекті мәні 15 пайыздық тармақ)",
    } in (body["data"]["alerts"]["nodes"])


async def test_incident_violation_names_and_the_catalog_itself(api: Api, keys: dict[str, str]) -> None:
    body = await gql(
        api.url,
        '{ station(id: "S1") { incidents { violation ru: violationName(lang: RU) } } }',
        keys["partner"],
    )
    assert "errors" not in body, body
    assert body["data"]["station"]["incidents"] == [
        {"violation": "ballot_stuffing", "ru": "Вброс бюллетеней"}
    ]
    # The catalog: every role, the public included.
    body = await gql(api.url, "{ messageCatalog(lang: KK) }", keys["public"])
    assert "errors" not in body, body
    catalog = body["data"]["messageCatalog"]
    assert set(catalog) == {"rule", "violation", "checklist", "phase", "alert", "statement", "verification"}
    assert catalog["checklist"]["ballot_boxes_sealed"] == "Дауыс беру жәшіктері мөрленген"


async def test_live_alerts_carry_their_texts(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings
) -> None:
    client = await WsClient.open(api.ws_url, keys["partner"])
    try:
        await client.ack()
        await client.subscribe(
            "1", f"subscription {{ alertRaised(minSeverity: INFO) {{ alert {{ {ALERT_FIELDS} }} }} }}"
        )
        await producer.send_and_wait(
            shared_settings.topic(topics.ALERTS.name), codec.encode_alert(GRAVE), key=GRAVE.id.encode()
        )
        message = await client.receive()
        live = message["payload"]["data"]["alertRaised"]["alert"]
        assert (live["id"], live["ruleName"], live["kk"]) == (
            "G1", "Өрескел бұзушылық", "Бюллетеньдерді заңсыз салу: екінші байқаушы растады"
        )  # fmt: skip
        assert live["texts"][0]["params"] == {"violation": "ballot_stuffing"}
    finally:
        await client.close()
