"""A region-scoped key sees only its regions, on every query and every subscription.

Seed: R1 holds S1-S3 (alerts A1, A2; reports r1-r3), R2 holds S4 (alert A3; report r4).
`partner_r1` reads R1 only, `analyst_r2` and `public_r2` R2 only. Every root field of Query and
Subscription has a case here; a new field without one fails `test_every_root_field_has_a_scope_case`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from services.api.schema import build_schema
from services.common.contracts import codec, topics
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from tests.integration.api.client import WsClient, error_codes, gql
from tests.integration.api.conftest import Api
from tests.integration.api.test_findings_live import hub_holds, send_region
from tests.integration.api.test_review import CLAIM, actor
from tests.integration.api.test_subscriptions import send_stats
from tests.unit.api.factories import alert, region_stats, station_stats

QueryCase = Callable[[Api, dict[str, str]], Awaitable[None]]
LiveCase = Callable[[Api, dict[str, str], AIOKafkaProducer, SharedSettings], Awaitable[None]]
QUERY_CASES: dict[str, QueryCase] = {}
LIVE_CASES: dict[str, LiveCase] = {}


def query_case(field: str) -> Callable[[QueryCase], QueryCase]:
    def register(case: QueryCase) -> QueryCase:
        QUERY_CASES[field] = case
        return case

    return register


def live_case(field: str) -> Callable[[LiveCase], LiveCase]:
    def register(case: LiveCase) -> LiveCase:
        LIVE_CASES[field] = case
        return case

    return register


async def data(api: Api, key: str, query: str) -> Any:
    body = await gql(api.url, query, key)
    assert "errors" not in body, body
    return body["data"]


async def refused(api: Api, key: str, query: str, field: str) -> None:
    body = await gql(api.url, query, key)
    assert error_codes(body) == ["FORBIDDEN"], body
    assert body["errors"][0]["extensions"]["field"] == field
    assert body["errors"][0]["message"] == f"{field}: outside this key's regions"
    assert body["data"] is None or all(v is None for v in body["data"].values()), body


# --- queries ------------------------------------------------------------------------------------


@query_case("station")
async def _station(api: Api, keys: dict[str, str]) -> None:
    assert (await data(api, keys["partner_r1"], '{ station(id: "S1") { id } }')) == {"station": {"id": "S1"}}
    await refused(api, keys["partner_r1"], '{ station(id: "S4") { id name } }', "station")
    assert (await data(api, keys["partner"], '{ station(id: "S4") { id } }')) == {"station": {"id": "S4"}}


@query_case("stations")
async def _stations(api: Api, keys: dict[str, str]) -> None:
    page = await data(api, keys["partner_r1"], "{ stations { nodes { id } } }")
    assert page["stations"]["nodes"] == [{"id": "S1"}, {"id": "S2"}, {"id": "S3"}]
    by_turnout = await data(api, keys["partner_r1"], "{ stations(orderBy: TURNOUT_DESC) { nodes { id } } }")
    assert by_turnout["stations"]["nodes"] == [{"id": "S1"}, {"id": "S2"}, {"id": "S3"}]
    await refused(api, keys["partner_r1"], '{ stations(region: "R2") { nodes { id } } }', "stations")
    everyone = await data(api, keys["partner"], "{ stations { nodes { id } } }")
    assert len(everyone["stations"]["nodes"]) == 4


@query_case("region")
async def _region(api: Api, keys: dict[str, str]) -> None:
    got = await data(api, keys["public_r2"], '{ region(id: "R2") { name stats { turnoutPct } } }')
    assert got == {"region": {"name": "Astana", "stats": {"turnoutPct": 50.0}}}
    await refused(api, keys["public_r2"], '{ region(id: "R1") { name } }', "region")


@query_case("regions")
async def _regions(api: Api, keys: dict[str, str]) -> None:
    assert (await data(api, keys["partner_r1"], "{ regions { id } }")) == {"regions": [{"id": "R1"}]}
    assert (await data(api, keys["public_r2"], "{ regions { id } }")) == {"regions": [{"id": "R2"}]}
    assert len((await data(api, keys["public"], "{ regions { id } }"))["regions"]) == 2


@query_case("overview")
async def _overview(api: Api, keys: dict[str, str]) -> None:
    query = """{ overview { national { turnoutPct ballotsIssued stationsTotal stationsReporting stationsSilent
                                       registeredVoters }
                            openAlerts { info warning critical total } } }"""
    nation = await data(api, keys["public"], query)
    assert nation["overview"]["national"]["turnoutPct"] == 25.0
    assert nation["overview"]["openAlerts"]["total"] == 2
    # R2's figures alone, never the nation's (R2 has no open alert: A3 is resolved).
    assert (await data(api, keys["public_r2"], query))["overview"] == {
        "national": {
            "turnoutPct": 50.0,
            "ballotsIssued": 750,
            "stationsTotal": 1,
            "stationsReporting": 1,
            "stationsSilent": 0,
            "registeredVoters": 1500,
        },
        "openAlerts": {"info": 0, "warning": 0, "critical": 0, "total": 0},
    }
    r1 = (await data(api, keys["partner_r1"], query))["overview"]
    assert r1["national"]["turnoutPct"] == 14.29
    assert r1["national"]["stationsTotal"] == 3
    assert r1["openAlerts"] == {"info": 0, "warning": 1, "critical": 1, "total": 2}


@query_case("alerts")
async def _alerts(api: Api, keys: dict[str, str]) -> None:
    query = "{ alerts { nodes { id regionId } } }"
    assert [a["id"] for a in (await data(api, keys["partner_r1"], query))["alerts"]["nodes"]] == ["A2", "A1"]
    assert [a["id"] for a in (await data(api, keys["analyst_r2"], query))["alerts"]["nodes"]] == ["A3"]
    by_station = await data(api, keys["partner_r1"], '{ alerts(station: "S4") { nodes { id } } }')
    assert by_station["alerts"]["nodes"] == []  # a filter outside the scope finds nothing
    await refused(api, keys["partner_r1"], '{ alerts(region: "R2") { nodes { id } } }', "alerts")


@query_case("reports")
async def _reports(api: Api, keys: dict[str, str]) -> None:
    query = "{ reports { nodes { id station { id } } } }"
    scoped = await data(api, keys["analyst_r2"], query)
    assert scoped["reports"]["nodes"] == [{"id": "r4", "station": {"id": "S4"}}]
    assert (await data(api, keys["analyst_r2"], '{ reports(station: "S1") { nodes { id } } }')) == {
        "reports": {"nodes": []}
    }
    assert len((await data(api, keys["analyst"], query))["reports"]["nodes"]) == 4


@query_case("turnoutSeries")
async def _turnout_series(api: Api, keys: dict[str, str]) -> None:
    series = await data(api, keys["partner_r1"], '{ turnoutSeries(station: "S1") { ballotsIssued } }')
    assert [p["ballotsIssued"] for p in series["turnoutSeries"]] == [150, 300]
    region = await data(api, keys["partner_r1"], '{ turnoutSeries(region: "R1", bucketMinutes: 60) { at } }')
    assert len(region["turnoutSeries"]) == 2
    key = keys["partner_r1"]
    await refused(api, key, '{ turnoutSeries(station: "S4") { at } }', "turnoutSeries(station)")
    await refused(api, key, '{ turnoutSeries(region: "R2") { at } }', "turnoutSeries(region)")


@query_case("forensics")
async def _forensics(api: Api, keys: dict[str, str]) -> None:
    assert (await data(api, keys["public_r2"], '{ forensics(region: "R2") { stations } }')) == {
        "forensics": None
    }
    await refused(api, keys["public_r2"], '{ forensics(region: "R1") { stations } }', "forensics")
    national = await gql(api.url, "{ forensics { stations } }", keys["public_r2"])
    assert error_codes(national) == ["FORBIDDEN"]
    assert "ask forensics(region:)" in national["errors"][0]["message"]
    assert (await data(api, keys["public"], "{ forensics { stations } }")) == {"forensics": None}


@query_case("findings")
async def _findings(api: Api, keys: dict[str, str]) -> None:
    query = """{ findings {
        national { regionId stationsTotal stationsObserved violations { violation stationsReported share } }
        regions { regionId stationsTotal stationsObserved } } }"""

    def stuffing(figures: dict[str, Any]) -> dict[str, Any]:
        return next(v for v in figures["violations"] if v["violation"] == "ballot_stuffing")

    r1 = (await data(api, keys["partner_r1"], query))["findings"]
    assert r1["regions"] == [{"regionId": "R1", "stationsTotal": 3, "stationsObserved": 2}]
    national = r1["national"]
    assert (national["regionId"], national["stationsTotal"], national["stationsObserved"]) == (None, 3, 2)
    assert stuffing(r1["national"]) == {"violation": "ballot_stuffing", "stationsReported": 2, "share": 1.0}
    r2 = (await data(api, keys["public_r2"], query))["findings"]
    assert r2["regions"] == [{"regionId": "R2", "stationsTotal": 1, "stationsObserved": 1}]
    await refused(
        api, keys["public_r2"], '{ findings(region: "R1") { national { stationsTotal } } }', "findings"
    )
    nation = (await data(api, keys["public"], query))["findings"]
    assert [r["regionId"] for r in nation["regions"]] == ["R1", "R2"]
    assert (nation["national"]["stationsTotal"], nation["national"]["stationsObserved"]) == (4, 3)
    assert stuffing(nation["national"])["stationsReported"] == 3


@query_case("messageCatalog")
async def _message_catalog(api: Api, keys: dict[str, str]) -> None:
    # Codes and their texts, nothing of a region's: a scoped key reads the same catalog.
    scoped = await data(api, keys["public_r2"], "{ messageCatalog(lang: RU) }")
    assert scoped == await data(api, keys["public"], "{ messageCatalog(lang: RU) }")
    assert scoped["messageCatalog"]["rule"]["silent_station"] == "Участок не выходит на связь"


@query_case("reviewQueue")
async def _review_queue(api: Api, keys: dict[str, str]) -> None:
    query = "{ reviewQueue { id regionId } }"
    scoped = await data(api, keys["coordinator_r2"], query)
    assert {i["regionId"] for i in scoped["reviewQueue"]} == {"R2"}
    assert {i["regionId"] for i in (await data(api, keys["coordinator"], query))["reviewQueue"]} == {
        "R1",
        "R2",
    }
    await refused(api, keys["coordinator_r2"], '{ reviewQueue(region: "R1") { id } }', "reviewQueue")


@query_case("auditLog")
async def _audit_log(api: Api, keys: dict[str, str]) -> None:
    # Admin keys are never region-scoped (api_keys' check); a scoped coordinator is refused by role.
    body = await gql(api.url, "{ auditLog { nodes { id } } }", keys["coordinator_r2"])
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["extensions"]["field"] == "auditLog"


@query_case("alertSubscriptions")
async def _alert_subscriptions(api: Api, keys: dict[str, str]) -> None:
    # Whom alerts go to spans every region: a region-scoped coordinator key is refused.
    body = await gql(api.url, "{ alertSubscriptions { id } }", keys["coordinator_r2"])
    assert error_codes(body) == ["FORBIDDEN"], body
    assert body["errors"][0]["extensions"]["field"] == "alertSubscriptions"


@query_case("alertDeliveries")
async def _alert_deliveries(api: Api, keys: dict[str, str]) -> None:
    body = await gql(api.url, "{ alertDeliveries { alertId } }", keys["coordinator_r2"])
    assert error_codes(body) == ["FORBIDDEN"], body
    assert body["errors"][0]["extensions"]["field"] == "alertDeliveries"


@query_case("defaultTimezone")
async def _default_timezone(api: Api, keys: dict[str, str]) -> None:
    # The election's zone, nothing of a region's: a scoped key reads it as every key.
    scoped = await data(api, keys["public_r2"], "{ defaultTimezone }")
    assert (
        scoped == await data(api, keys["public"], "{ defaultTimezone }") == {"defaultTimezone": "Asia/Almaty"}
    )


@pytest.mark.parametrize("field", sorted(QUERY_CASES))
async def test_queries_show_a_scoped_key_only_its_regions(api: Api, keys: dict[str, str], field: str) -> None:
    await QUERY_CASES[field](api, keys)


# --- subscriptions ------------------------------------------------------------------------------


async def next_data(client: WsClient, op_id: str) -> Any:
    message = await client.receive()
    assert (message["id"], message["type"]) == (op_id, "next"), message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]


async def refused_live(client: WsClient, op_id: str, field: str) -> None:
    message = await client.receive()
    assert (message["id"], message["type"]) == (op_id, "next"), message
    assert message["payload"]["errors"][0]["extensions"] == {"code": "FORBIDDEN", "field": field}
    assert (await client.receive())["type"] == "complete"


async def produce(
    producer: AIOKafkaProducer, shared: SharedSettings, topic: str, key: str, value: bytes
) -> None:
    await producer.send_and_wait(shared.topic(topic), value, key=key.encode())


def active(field: str) -> float:
    """Open subscriptions of `field` in this process (the API under test runs in it)."""
    return REGISTRY.get_sample_value("pollwatch_api_subscriptions_active", {"subscription": field}) or 0.0


async def subscribed(field: str, count: float) -> None:
    """Waits until `count` subscriptions of `field` are open, so an action taken next follows them."""
    for _ in range(1000):
        if active(field) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{count} {field} subscriptions never opened ({active(field)})")


@live_case("stationUpdated")
async def _station_updated(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared: SharedSettings
) -> None:
    document = """subscription($ids: [ID!], $region: ID) {
        stationUpdated(ids: $ids, region: $region) { station { id } } }"""
    client = await WsClient.open(api.ws_url, keys["partner_r1"])
    try:
        await client.ack()
        await client.subscribe("all", document)
        await client.subscribe("ids", document, {"ids": ["S4", "S2"]})
        await client.subscribe("r2", document, {"region": "R2"})
        await refused_live(client, "r2", "stationUpdated")
        await send_stats(producer, shared, station_stats("S4", "R2", ballots=1))
        await send_stats(producer, shared, station_stats("S2", "R1", ballots=2))
        got = {m["id"]: m for m in [await client.receive(), await client.receive()]}
        assert {k: m["payload"]["data"]["stationUpdated"]["station"]["id"] for k, m in got.items()} == {
            "all": "S2",
            "ids": "S2",
        }
        # A subscriber arriving later gets the current state of its regions only.
        await client.subscribe("late", document)
        assert (await next_data(client, "late"))["stationUpdated"]["station"]["id"] == "S2"
    finally:
        await client.close()


@live_case("regionUpdated")
async def _region_updated(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared: SharedSettings
) -> None:
    client = await WsClient.open(api.ws_url, keys["public_r2"])
    try:
        await client.ack()
        await client.subscribe("all", "subscription { regionUpdated { region { id stats { turnoutPct } } } }")
        await client.subscribe("r1", 'subscription { regionUpdated(ids: ["R1"]) { region { id } } }')
        topic = topics.REGION_STATS.name
        await produce(producer, shared, topic, "R1", codec.encode_region_stats(region_stats("R1", 100, 10.0)))
        await produce(producer, shared, topic, "R2", codec.encode_region_stats(region_stats("R2", 300, 30.0)))
        got = await next_data(client, "all")
        assert got["regionUpdated"]["region"] == {"id": "R2", "stats": {"turnoutPct": 30.0}}
        await client.send({"id": "p", "type": "ping"})
        assert (await client.receive())["type"] == "pong"  # and nothing for R1 before it
    finally:
        await client.close()


@live_case("overviewUpdated")
async def _overview_updated(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared: SharedSettings
) -> None:
    query = "subscription { overviewUpdated { overview { national { turnoutPct ballotsIssued } } } }"
    clients = {
        name: await WsClient.open(api.ws_url, keys[name]) for name in ("public", "public_r2", "public_r1r2")
    }
    try:
        for client in clients.values():
            await client.ack()
            await client.subscribe("o", query)

        async def national(name: str) -> dict[str, Any]:
            got: dict[str, Any] = (await next_data(clients[name], "o"))["overviewUpdated"]["overview"][
                "national"
            ]
            return got

        topic = topics.REGION_STATS.name
        nation = region_stats(ev.NATIONAL, 5000, 25.0, stations=4)
        await produce(producer, shared, topic, ev.NATIONAL, codec.encode_region_stats(nation))
        assert await national("public") == {"turnoutPct": 25.0, "ballotsIssued": 5000}
        await produce(producer, shared, topic, "R1", codec.encode_region_stats(region_stats("R1", 100, 10.0)))
        assert await national("public_r1r2") == {"turnoutPct": 10.0, "ballotsIssued": 100}
        # One R2 update reaches both scoped keys: each gets its own regions' figures.
        await produce(producer, shared, topic, "R2", codec.encode_region_stats(region_stats("R2", 300, 30.0)))
        assert await national("public_r2") == {"turnoutPct": 30.0, "ballotsIssued": 300}
        assert await national("public_r1r2") == {"turnoutPct": 20.0, "ballotsIssued": 400}
        await clients["public"].send({"id": "p", "type": "ping"})
        assert (await clients["public"].receive())["type"] == "pong"  # no region reached the nation's
    finally:
        for client in clients.values():
            await client.close()


@live_case("alertRaised")
async def _alert_raised(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared: SharedSettings
) -> None:
    client = await WsClient.open(api.ws_url, keys["partner_r1"])
    try:
        await client.ack()
        await client.subscribe("all", "subscription { alertRaised { alert { id regionId } } }")
        await client.subscribe("r2", 'subscription { alertRaised(region: "R2") { alert { id } } }')
        await refused_live(client, "r2", "alertRaised")
        topic = topics.ALERTS.name
        await produce(producer, shared, topic, "X2", codec.encode_alert(alert("X2", region_id="R2")))
        await produce(producer, shared, topic, "X1", codec.encode_alert(alert("X1", region_id="R1")))
        got = await next_data(client, "all")
        assert got["alertRaised"]["alert"] == {"id": "X1", "regionId": "R1"}
        # Open alerts replayed to a new subscriber: its regions' only.
        await client.subscribe("late", "subscription { alertRaised { alert { id } } }")
        assert (await next_data(client, "late"))["alertRaised"]["alert"] == {"id": "X1"}
    finally:
        await client.close()


@live_case("findingsUpdated")
async def _findings_updated(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared: SharedSettings
) -> None:
    for rollup in (
        region_stats("R1", stations=3),
        region_stats("R2", stations=1),
        region_stats(ev.NATIONAL, stations=4),
    ):
        await send_region(producer, shared, rollup)
    await send_stats(producer, shared, station_stats("S2", "R1", ballots=2))
    await send_stats(producer, shared, station_stats("S4", "R2", ballots=1))
    await hub_holds(api, keys["partner"], stations=["S2", "S4"], regions=["R1", "R2"])
    document = """subscription($region: ID) {
        findingsUpdated(region: $region) { findings { regionId stationsObserved } } }"""
    client = await WsClient.open(api.ws_url, keys["public_r2"])
    try:
        await client.ack()
        await client.subscribe("all", document)
        # R2's row, then its regions' together (regionId null): R1's station is in neither.
        rows = [(await next_data(client, "all"))["findingsUpdated"]["findings"] for _ in range(2)]
        assert rows == [{"regionId": "R2", "stationsObserved": 1}, {"regionId": None, "stationsObserved": 1}]
        await client.subscribe("r1", document, {"region": "R1"})
        message = await client.receive()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"] == {"code": "FORBIDDEN", "field": "findingsUpdated"}
    finally:
        await client.close()


@live_case("reviewUpdated")
async def _review_updated(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared: SharedSettings
) -> None:
    document = """subscription($region: ID) {
        reviewUpdated(region: $region) { seq item { kind id regionId claimedBy } } }"""
    client = await WsClient.open(api.ws_url, keys["coordinator_r2"])
    try:
        before = active("reviewUpdated")
        await client.ack()
        await client.subscribe("all", document)
        await client.subscribe("r1", document, {"region": "R1"})
        await refused_live(client, "r1", "reviewUpdated")
        await subscribed("reviewUpdated", before + 1)
        # A nationwide coordinator claims r1 (R1), then r4 (R2): the R2 desk sees r4 only.
        for item in ("r1", "r4"):
            body = await gql(api.url, CLAIM, keys["coordinator"], {"kind": "REPORT", "id": item})
            assert "errors" not in body, body
        got = (await next_data(client, "all"))["reviewUpdated"]
        r4 = {"kind": "REPORT", "id": "r4", "regionId": "R2", "claimedBy": actor(keys, "coordinator")}
        assert got == {"seq": 1, "item": r4}
        await client.send({"id": "p", "type": "ping"})
        assert (await client.receive())["type"] == "pong"
    finally:
        await client.close()


@pytest.mark.parametrize("field", sorted(LIVE_CASES))
async def test_subscriptions_deliver_a_scoped_key_only_its_regions(
    api: Api, keys: dict[str, str], producer: AIOKafkaProducer, shared_settings: SharedSettings, field: str
) -> None:
    await LIVE_CASES[field](api, keys, producer, shared_settings)


def test_every_root_field_has_a_scope_case() -> None:
    """A new query or subscription field must say what a region-scoped key sees of it."""
    schema = build_schema()._schema
    assert schema.query_type is not None
    assert schema.subscription_type is not None
    assert set(schema.query_type.fields) == set(QUERY_CASES)
    assert set(schema.subscription_type.fields) == set(LIVE_CASES)
