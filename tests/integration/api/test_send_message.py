"""sendMessage through GraphQL on the real Kafka: a coordinator's or admin's message becomes the
same broadcast event `pollwatch messages send` writes to the broadcasts topic; partner, analyst
and public keys are refused, a region-scoped key reaches only its regions, and a refused request
writes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer

from services.common import broadcasts_cli
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import error_codes, gql
from tests.integration.api.conftest import Api

SEND = """mutation($a: BroadcastAudienceInput!, $t: String!, $tr: BroadcastTranslationsInput, $id: ID) {
  sendMessage(audience: $a, text: $t, translations: $tr, id: $id) { id requestedBy requestedAt } }"""
TRANSLATIONS = {"ru": "Сообщите явку сейчас", "kk": "Қазір белсенділікті хабарлаңыз"}


async def published(shared: SharedSettings, count: int) -> list[ev.Broadcast]:
    """The first `count` broadcasts on this test's broadcasts topic, then a second to see no more."""
    consumer = AIOKafkaConsumer(
        shared.topic(topics.BROADCASTS.name),
        bootstrap_servers=shared.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[ev.Broadcast] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < count:
                batch = await consumer.getmany(timeout_ms=500)
                found += [codec.decode_broadcast(m.value) for ms in batch.values() for m in ms]
        batch = await consumer.getmany(timeout_ms=1000)
        found += [codec.decode_broadcast(m.value) for ms in batch.values() for m in ms]
    finally:
        await consumer.stop()
    return found


def cli_event(monkeypatch: pytest.MonkeyPatch, **options: Any) -> ev.Broadcast:
    """The broadcast `pollwatch messages send` would write for these options."""
    seen: list[ev.Broadcast] = []
    monkeypatch.setattr(broadcasts_cli, "request_broadcast", seen.append)
    broadcasts_cli.send(**options)
    return seen[0]


async def test_a_coordinators_message_is_the_clis_broadcast(
    api: Api, keys: dict[str, str], shared_settings: SharedSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    audience = {"regions": ["R1"], "stations": ["S3"], "openAlerts": True, "silent": True}
    answer = await gql(
        api.url, SEND, keys["coordinator"], {"a": audience, "t": "Report turnout now", "tr": TRANSLATIONS}
    )
    assert "errors" not in answer, answer
    sent = answer["data"]["sendMessage"]
    key_id = keys["coordinator"].split("_")[1]
    assert sent["requestedBy"] == f"api:org-coordinator:{key_id}"
    everyone = await gql(
        api.url, SEND, keys["admin"], {"a": {"everyone": True}, "t": "Polls open", "id": "bc-x1"}
    )
    assert everyone["data"]["sendMessage"]["id"] == "bc-x1"

    first, second = await published(shared_settings, 2)
    cli = cli_event(
        monkeypatch,
        text="Report turnout now",
        ru=TRANSLATIONS["ru"],
        kk=TRANSLATIONS["kk"],
        region=["R1"],
        station=["S3"],
        open_alerts=True,
        silent=True,
        id=sent["id"],
    )
    assert first.id == sent["id"]
    assert (first.kind, first.audience, first.text, dict(first.translations)) == (
        cli.kind,
        cli.audience,
        cli.text,
        dict(cli.translations),
    )
    assert first.kind is ev.BroadcastKind.MESSAGE
    assert first.requested_by == sent["requestedBy"]
    assert second.id == "bc-x1"
    assert second.audience == ev.Audience(everyone=True)
    assert second.translations == {}


async def test_only_coordinators_and_admins_send_and_a_scoped_key_stays_in_its_regions(
    api: Api, keys: dict[str, str], shared_settings: SharedSettings
) -> None:
    everyone = {"a": {"everyone": True}, "t": "Report turnout now"}
    for name in ("partner", "partner_r1", "analyst", "public"):
        refused = await gql(api.url, SEND, keys[name], everyone)
        assert error_codes(refused) == ["FORBIDDEN"], (name, refused)
        assert refused["data"] is None
    outside = await gql(api.url, SEND, keys["coordinator_r2"], {"a": {"regions": ["R1"]}, "t": "x"})
    assert error_codes(outside) == ["FORBIDDEN"]
    nobody = await gql(api.url, SEND, keys["coordinator"], {"a": {}, "t": "x"})
    assert error_codes(nobody) == ["INVALID_ARGUMENT"]
    assert nobody["errors"][0]["extensions"]["argument"] == "audience"
    blank = await gql(api.url, SEND, keys["coordinator"], {"a": {"everyone": True}, "t": "  "})
    assert blank["errors"][0]["extensions"]["argument"] == "text"
    bad_id = await gql(api.url, SEND, keys["coordinator"], {"a": {"everyone": True}, "t": "x", "id": "a.b"})
    assert bad_id["errors"][0]["extensions"]["argument"] == "id"

    scoped = await gql(api.url, SEND, keys["coordinator_r2"], everyone)
    assert "errors" not in scoped, scoped
    (only,) = await published(shared_settings, 1)  # nothing from the refused requests
    assert only.id == scoped["data"]["sendMessage"]["id"]
    assert only.audience == ev.Audience(everyone=True, within_regions=("R2",))
