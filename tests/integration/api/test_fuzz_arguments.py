"""Fuzzed arguments on every root field, executed for real on PostgreSQL (production settings):
no internal error, every error a client error with a code (an argument error naming one of the
field's arguments), and the service healthy after.

Queries and mutations go over HTTP to the served API; subscriptions run through the schema
in-process on the same database, with a hub holding a value of every kind so an accepted
subscription answers at once. Hypothesis drives them from a worker thread while the event
loop serves.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.api.auth import Principal, Role
from services.api.context import Context
from services.api.key_store import KeyStore
from services.api.live.hub import Hub
from services.api.loaders import create_loaders
from services.api.schema import build_schema
from services.common.contracts import events as ev
from services.common.infra.settings import Environment, SharedSettings
from tests.integration.api.conftest import Api, api_settings, serve
from tests.unit.api.factories import alert, region_stats, station_stats

# Codes a client may get for arguments alone; anything else (or no code) is a finding.
CLIENT_CODES = {"INVALID_ARGUMENT", "NOT_FOUND", "FORBIDDEN"}
KNOWN_IDS = ["S1", "S2", "S4", "R1", "R2", "A1", "A3", "r1", "r2", "M1", "", "nope"]


def _cursor(parts: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode()


_ANY_CHAR = st.characters(exclude_categories=[])  # surrogates and NUL included
_JSON_SCALAR = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(_ANY_CHAR, max_size=20)
)
TEXT = st.one_of(
    st.sampled_from(KNOWN_IDS),
    st.text(_ANY_CHAR, max_size=40),
    st.sampled_from(["\x00", "S1\x00", "\ud800", "R1\udfff", "x" * 4097, "Ы" * 100_000]),
    st.lists(_JSON_SCALAR, min_size=3, max_size=3).map(_cursor),  # forged cursors
    st.tuples(
        st.sampled_from(["id", "turnout_desc", "open_alerts_desc", "alerts", "reports"]),
        _JSON_SCALAR,
        _JSON_SCALAR,
    ).map(lambda t: _cursor(list(t))),
)
INTS = st.integers() | st.sampled_from(
    [0, -1, 1, 15, 200, 1440, 1441, 2**31 - 1, 2**31, -(2**31) - 1, 10**30]
)
INSTANTS = st.one_of(
    st.datetimes(timezones=st.timezones() | st.none()).map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2024-03-01", "soon", ""]),
    st.text(_ANY_CHAR, max_size=30),
)
WRONG_TYPE = st.one_of(
    _JSON_SCALAR,
    st.lists(_JSON_SCALAR, max_size=3),
    st.dictionaries(st.text(max_size=5), _JSON_SCALAR, max_size=2),
)


def value_for(type_: GraphQLInputType) -> st.SearchStrategy[Any]:
    """Values for one argument type: mostly plausible, sometimes hostile, sometimes mistyped."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    base: st.SearchStrategy[Any]
    if isinstance(inner, GraphQLList):
        element = value_for(inner.of_type)
        base = st.lists(element, max_size=5) | st.lists(
            st.sampled_from(KNOWN_IDS), min_size=999, max_size=1001
        )
    elif isinstance(inner, GraphQLEnumType):
        base = st.sampled_from(sorted(inner.values)) | TEXT
    elif isinstance(inner, GraphQLScalarType) and inner.name in ("ID", "String"):
        base = TEXT
    elif isinstance(inner, GraphQLScalarType) and inner.name == "Int":
        base = INTS
    elif isinstance(inner, GraphQLScalarType) and inner.name == "Boolean":
        base = st.booleans()
    elif isinstance(inner, GraphQLScalarType) and inner.name == "DateTime":
        base = INSTANTS
    else:
        base = WRONG_TYPE
    chosen = st.one_of(base, base, base, WRONG_TYPE)
    return chosen if isinstance(type_, GraphQLNonNull) else st.none() | chosen


def selection(field: GraphQLField) -> str:
    named = get_named_type(field.type)
    if not isinstance(named, GraphQLObjectType):
        return ""
    if "nodes" in named.fields:  # a connection: reach the nodes the resolver loaded
        return "{ nodes { __typename } pageInfo { endCursor hasNextPage } }"
    return "{ __typename }"


@dataclass
class Case:
    operation: str
    field: str
    arguments: dict[str, GraphQLArgument]
    values: dict[str, Any]

    def document(self) -> str:
        definitions = ", ".join(f"${n}: {self.arguments[n].type}" for n in self.values)
        passed = ", ".join(f"{n}: ${n}" for n in self.values)
        head = f"{self.operation}({definitions})" if definitions else self.operation
        call = f"{self.field}({passed})" if passed else self.field
        return f"{head} {{ {call} SELECTION }}"


def cases(operation: str, root: GraphQLObjectType) -> st.SearchStrategy[Case]:
    def for_field(name: str) -> st.SearchStrategy[Case]:
        field = root.fields[name]

        @st.composite
        def build(draw: st.DrawFn) -> Case:
            values: dict[str, Any] = {}
            for arg_name, argument in field.args.items():
                must = isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
                if must or draw(st.booleans()):
                    values[arg_name] = draw(value_for(argument.type))
            return Case(operation, name, dict(field.args), values)

        return build()

    return st.sampled_from(sorted(root.fields)).flatmap(for_field)


def _check_errors(case: Case, errors: list[dict[str, Any]], outcomes: Counter[str]) -> None:
    for error in errors:
        extensions = error.get("extensions") or {}
        code = extensions.get("code")
        assert error["message"] != "Internal error.", (case, error)
        assert code in CLIENT_CODES, (case, error)
        if code == "INVALID_ARGUMENT":
            assert extensions.get("argument") in case.arguments, (case, error)
        outcomes[str(code)] += 1


@pytest.fixture
async def fuzz_api(shared_settings: SharedSettings, seeded: None) -> AsyncIterator[Api]:
    shared = shared_settings.model_copy(update={"environment": Environment.PRODUCTION})
    async for running in serve(api_settings(shared, rate_per_second=10_000.0, rate_burst=10_000)):
        yield running


def _live_hub() -> Hub:
    hub = Hub()
    hub.stations.publish(station_stats("S1", "R1"))
    hub.publish_region(region_stats("R1"))
    hub.publish_region(region_stats(ev.NATIONAL))
    hub.alerts.publish(alert("A9", ev.Severity.CRITICAL))
    return hub


async def _subscribe_once(schema: Any, context: Context, case: Case) -> list[dict[str, Any]]:
    stream = await schema.subscribe(
        case.document().replace("SELECTION", "{ __typename }"),
        variable_values=case.values,
        context_value=context,
    )
    if not hasattr(stream, "__anext__"):
        return [dict(e.formatted) for e in stream.errors or []]
    try:
        result = await asyncio.wait_for(stream.__anext__(), 0.5)
    except TimeoutError:  # accepted; nothing in the hub matches its filter
        return []
    except StopAsyncIteration:
        return []
    finally:
        await stream.aclose()
    return [dict(e.formatted) for e in result.errors or []]


# The served API's Kafka client reshuffles brokers with `random` on the event loop while
# hypothesis draws in its thread; hypothesis mistakes that for a strategy using `random`.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
async def test_fuzzed_arguments_never_cause_an_internal_error(
    fuzz_api: Api, keys: dict[str, str], database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    loop = asyncio.get_running_loop()
    schema = build_schema(fuzz_api.settings)
    graphql_schema = schema._schema
    query, mutation = graphql_schema.query_type, graphql_schema.mutation_type
    subscription = graphql_schema.subscription_type
    assert query is not None
    assert mutation is not None
    assert subscription is not None
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    assert pool is not None
    context = Context(
        pool=pool,
        hub=_live_hub(),
        settings=fuzz_api.settings,
        keys=KeyStore(pool, 1.0),
        loaders=create_loaders(pool, cache=False),
        principal=Principal("", Role.ADMIN, "ops"),  # no key id: no key check
    )
    outcomes: Counter[str] = Counter()

    def on_loop(coro: Any) -> Any:
        done: Future[Any] = asyncio.run_coroutine_threadsafe(coro, loop)
        return done.result(60)

    def over_http(case: Case, key: str) -> None:
        document = case.document().replace("SELECTION", selection(_field(case)))
        body = json.dumps({"query": document, "variables": case.values})
        headers = {"X-API-Key": keys[key], "content-type": "application/json"}
        response = httpx.post(f"{fuzz_api.url}/graphql", content=body, headers=headers, timeout=30)
        assert response.status_code == 200, (case, response.status_code, response.text[:300])
        errors = response.json().get("errors") or []
        _check_errors(case, errors, outcomes)
        outcomes["ok" if not errors else "refused"] += 1

    def _field(case: Case) -> GraphQLField:
        field: GraphQLField = (query if case.operation == "query" else mutation).fields[case.field]
        return field

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    # An admin reaches every field; a region-scoped analyst reaches reports and meets the scope.
    @given(cases("query", query) | cases("mutation", mutation), st.sampled_from(["admin", "analyst_r2"]))
    def fuzz_http(case: Case, key: str) -> None:
        over_http(case, key)

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(cases("subscription", subscription))
    def fuzz_subscriptions(case: Case) -> None:
        errors = on_loop(_subscribe_once(schema, context, case))
        _check_errors(case, errors, outcomes)
        outcomes["subscribed" if not errors else "refused"] += 1

    try:
        await asyncio.to_thread(fuzz_http)
        await asyncio.to_thread(fuzz_subscriptions)
    finally:
        await pool.close()
    assert outcomes["ok"] > 20, outcomes  # plausible values reach the resolvers too
    assert outcomes["INVALID_ARGUMENT"] > 50, outcomes
    faults = [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert faults == []
    # The service is healthy after: ready, and answering as before.
    async with httpx.AsyncClient(timeout=30) as client:
        assert (await client.get(f"{fuzz_api.url}/readyz")).status_code == 200
        answer = await client.post(
            f"{fuzz_api.url}/graphql",
            json={"query": '{ station(id: "S1") { name stats { ballotsIssued } } }'},
            headers={"X-API-Key": keys["partner"]},
        )
    assert answer.json() == {"data": {"station": {"name": "School 1", "stats": {"ballotsIssued": 300}}}}
