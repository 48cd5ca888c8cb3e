"""The compiled live renderer must produce exactly what graphql-core produces, or step aside."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
import strawberry
from graphql import (
    Executor,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    execute_subscription_event,
    parse,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from services.api.auth import Principal, Role
from services.api.live.render import FallbackError, complete_value
from services.api.schema import build_schema
from services.api.shared_execution import SharedResults, plan_for, with_seq
from services.api.types.alert import Alert
from services.api.types.overview import AlertCounts, Overview
from services.api.types.region import Region, RegionStats
from services.api.types.station import Station
from services.api.types.updates import AlertEvent, OverviewUpdate, RegionUpdate, StationUpdate
from services.common.contracts import events as ev
from tests.unit.api.factories import T0, alert, station_stats

SCHEMA = build_schema()
GRAPHQL = SCHEMA._schema
PARTNER = Principal("k1", Role.PARTNER, "ngo")


def _region_stats(region_id: str = "R1") -> ev.RegionStats:
    return ev.RegionStats(
        region_id, 10, 8, 1, 10_000, 4_000, 40.0, 2.5, 1.0, 3.0, {"ballot_stuffing": 2}, 1, T0
    )


def _station_update(seq: int = 3, live: ev.StationStats | None = None) -> StationUpdate:
    value = live or dataclasses.replace(
        station_stats(ballots=123), incidents_total={"carousel": 1}, silent=True
    )
    return StationUpdate(
        seq=seq, revision=17, station=Station(id=strawberry.ID(value.station_id), _live=value)
    )


def _compile(document: str) -> tuple[Any, FieldNode]:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    assert GRAPHQL.subscription_type is not None
    field = GRAPHQL.subscription_type.fields[root.name.value]
    return complete_value(field.type, root.selection_set, fragments), root


async def _graphql_core(document: str, root_value: Any) -> dict[str, Any] | None:
    executor = Executor.build(GRAPHQL, parse(document), context_value=None)
    assert isinstance(executor, Executor)
    result = execute_subscription_event(executor.build_per_event_executor(root_value))
    if hasattr(result, "__await__"):
        result = await result
    assert not result.errors, result.errors
    return result.data


STATION_DOCS = [
    "subscription { stationUpdated { seq revision station { id stats { ballotsIssued updatedAt } } } }",
    "subscription { u: stationUpdated { n: seq station { __typename id regionId status "
    "region { id } stats { turnoutPct incidentsTotal incidentsRecent protocol silent lastReportAt "
    "openAlerts registeredVoters homeVotingPct turnoutRatePpPerHour reportsProcessed } } } }",
    "subscription { stationUpdated { ...U } } "
    "fragment U on StationUpdate { seq station { ... on Station { id } } }",
]


@pytest.mark.parametrize("document", STATION_DOCS)
async def test_compiled_station_selection_equals_graphql_core(document: str) -> None:
    render, root = _compile(document)
    assert render is not None
    update = _station_update()
    key = root.alias.value if root.alias else root.name.value
    assert {key: render(update)} == await _graphql_core(document, update)


def _region_update() -> RegionUpdate:
    return RegionUpdate(seq=1, revision=2, region=Region(id=strawberry.ID("R1"), _live=_region_stats()))


def _overview_update() -> OverviewUpdate:
    return OverviewUpdate(
        seq=4,
        revision=9,
        overview=Overview(
            national=RegionStats.from_event(_region_stats(ev.NATIONAL)),
            open_alerts=AlertCounts.from_alerts([alert(), alert("A2", ev.Severity.CRITICAL)]),
        ),
    )


def _alert_event() -> AlertEvent:
    return AlertEvent(
        seq=2, revision=5, transition=ev.AlertTransition.OPENED, alert=Alert.from_event(alert())
    )


@pytest.mark.parametrize(
    ("document", "update"),
    [
        (
            "subscription { regionUpdated { seq region { id "
            "stats { turnoutPct incidentsTotal updatedAt } } } }",
            _region_update,
        ),
        (
            "subscription { overviewUpdated { seq overview { national { ballotsIssued } "
            "openAlerts { info warning critical total } } } }",
            _overview_update,
        ),
        (
            "subscription { alertRaised { seq transition alert { id severity state reportIds } } }",
            _alert_event,
        ),
    ],
    ids=["region", "overview", "alert"],
)
async def test_compiled_region_overview_and_alert_selections_equal_graphql_core(
    document: str, update: Callable[[], object]
) -> None:
    value = update()
    render, root = _compile(document)
    assert render is not None
    assert {root.name.value: render(value)} == await _graphql_core(document, value)


@pytest.mark.parametrize(
    "document",
    [
        "subscription { stationUpdated { station { incidents { violation } } } }",  # access check + database
        "subscription { stationUpdated { seq @include(if: true) } }",  # directives
        "subscription { stationUpdated { seq seq } }",  # a response key twice: merging
        "subscription { alertRaised { alert { acknowledged } } }",  # async resolver
    ],
)
def test_selections_outside_the_safe_subset_are_not_compiled(document: str) -> None:
    assert _compile(document)[0] is None


@pytest.mark.parametrize(
    ("document", "live_too"),
    [
        ("subscription { stationUpdated { station { stats { ballotsIssued } } } }", False),
        ("subscription { stationUpdated { station { name } } }", True),  # always needs the registry row
    ],
)
def test_a_value_needing_the_database_falls_back_without_leaking_a_coroutine(
    document: str, live_too: bool
) -> None:
    render, _ = _compile(document)
    assert render is not None
    unloaded = StationUpdate(seq=1, revision=1, station=Station(id=strawberry.ID("S1")))
    with pytest.raises(FallbackError):
        render(unloaded)  # the DB path's coroutine is closed: no "never awaited" warning (errors here)
    if live_too:
        with pytest.raises(FallbackError):
            render(_station_update())
    else:
        assert render(_station_update())["station"]["stats"] == {"ballotsIssued": 123}


FIELDS = [
    "ballotsIssued",
    "turnoutPct",
    "updatedAt",
    "silent",
    "incidentsTotal",
    "lastReportAt",
    "openAlerts",
]


@settings(max_examples=60, deadline=None)
@given(
    picked=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=5, unique=True),
    aliased=st.lists(st.booleans(), min_size=5, max_size=5),
    wrap=st.sampled_from(["plain", "inline", "fragment"]),
    ballots=st.integers(min_value=0, max_value=2**31 - 1),
    silent=st.booleans(),
)
async def test_any_plain_stats_selection_renders_like_graphql_core(
    picked: list[str], aliased: list[bool], wrap: str, ballots: int, silent: bool
) -> None:
    inner = " ".join(f"a{i}: {f}" if aliased[i] else f for i, f in enumerate(picked))
    stats = f"stats {{ {inner} }}"
    if wrap == "inline":
        body, tail = f"station {{ ... on Station {{ id {stats} }} }}", ""
    elif wrap == "fragment":
        body, tail = "station { ...S }", f" fragment S on Station {{ id {stats} }}"
    else:
        body, tail = f"station {{ id {stats} }}", ""
    document = f"subscription {{ stationUpdated {{ seq {body} }} }}{tail}"
    render, _ = _compile(document)
    assert render is not None
    update = _station_update(live=dataclasses.replace(station_stats(ballots=ballots), silent=silent))
    assert {"stationUpdated": render(update)} == await _graphql_core(document, update)


def test_plans_share_across_root_arguments_but_not_roles_or_selection_variables() -> None:
    def plan(document: str, variables: dict[str, Any], principal: Principal) -> Any:
        parsed = parse(document)
        operation = parsed.definitions[0]
        return plan_for(GRAPHQL, operation, {}, variables, principal, SharedResults().compiled)

    doc = "subscription($ids: [ID!], $x: Boolean!) { stationUpdated(ids: $ids) { seq @include(if: $x) } }"
    a = plan(doc, {"ids": ["S1"], "x": True}, PARTNER)
    b = plan(doc, {"ids": ["S2"], "x": True}, PARTNER)
    c = plan(doc, {"ids": ["S1"], "x": False}, PARTNER)
    d = plan(doc, {"ids": ["S1"], "x": True}, Principal("k2", Role.ANALYST, "ops"))
    assert a.key == b.key  # the root field's ids only choose which events arrive
    assert a.key != c.key
    assert a.key != d.key
    assert a.render is None
    assert a.seq_keys == ("seq",)


def test_a_shared_result_gets_each_subscribers_seq() -> None:
    from graphql import ExecutionResult

    plan = plan_for(
        GRAPHQL,
        parse("subscription { s: stationUpdated { n: seq station { id } } }").definitions[0],
        {},
        {},
        PARTNER,
    )
    shared = ExecutionResult({"s": {"n": 1, "station": {"id": "S1"}}}, None)
    mine = with_seq(shared, plan, 42)
    assert mine.data == {"s": {"n": 42, "station": {"id": "S1"}}}
    assert shared.data == {"s": {"n": 1, "station": {"id": "S1"}}}  # the shared one is untouched
