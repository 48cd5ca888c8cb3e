"""Client errors carry a code naming the argument and are logged at INFO without a traceback;
faults are logged at ERROR with theirs (and masked in production)."""

from __future__ import annotations

import logging
from typing import Any, cast

import asyncpg
import pytest

from services.api.auth import Principal, Role
from services.api.context import Context
from services.api.key_store import KeyStore
from services.api.live.hub import Hub
from services.api.loaders import create_loaders
from services.api.schema import build_schema
from services.api.settings import ApiSettings
from services.common.infra.settings import Environment, SharedSettings


class BrokenPool:
    """Stands for a database whose queries fail: with `error`, a bug (a query naming a column
    that does not exist) by default."""

    def __init__(self, error: Exception | None = None) -> None:
        self._error = error or asyncpg.UndefinedColumnError('column "colour" does not exist')

    async def fetch(self, *_: Any) -> list[Any]:
        raise self._error


def _context(role: Role, pool_error: Exception | None = None) -> Context:
    pool = cast(asyncpg.Pool, BrokenPool(pool_error))
    return Context(
        pool=pool,
        hub=Hub(),
        settings=ApiSettings(),
        keys=KeyStore(pool, 1.0),
        loaders=create_loaders(pool),
        principal=Principal("k1", role, "ngo"),
    )


async def _errors(
    query: str,
    role: Role = Role.PUBLIC,
    variables: dict[str, Any] | None = None,
    production: bool = False,
    pool_error: Exception | None = None,
) -> list[dict[str, Any]]:
    environment = Environment.PRODUCTION if production else Environment.DEVELOPMENT
    schema = build_schema(ApiSettings(shared=SharedSettings(environment=environment)))
    result = await schema.execute(query, variable_values=variables, context_value=_context(role, pool_error))
    assert result.errors
    return [dict(e.formatted) for e in result.errors]


def _only_info(caplog: pytest.LogCaptureFixture) -> list[str]:
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert all(r.exc_info is None for r in caplog.records)
    return [r.getMessage() for r in caplog.records if r.name == "services.api.client_errors"]


@pytest.mark.parametrize(
    ("query", "variables", "extensions"),
    [
        ("{ stations { nodes { id } } }", None, {"code": "FORBIDDEN", "field": "stations"}),
        ('{ turnoutSeries(region: "R1", bucketMinutes: 0) { at } }', None,
         {"code": "INVALID_ARGUMENT", "argument": "bucketMinutes"}),
        ("{ alerts(first: 99999999999) { nodes { id } } }", None,
         {"code": "INVALID_ARGUMENT", "argument": "first"}),
        ("query($n: Int) { alerts(first: $n) { nodes { id } } }", {"n": 2**40},
         {"code": "INVALID_ARGUMENT", "argument": "first", "variable": "n"}),
        ("query($t: DateTime) { alerts(since: $t) { nodes { id } } }", {"t": "yesterday"},
         {"code": "INVALID_ARGUMENT", "argument": "since", "variable": "t"}),
        ('{ station(id: "S1", colour: "red") { id } }', None,
         {"code": "INVALID_ARGUMENT", "argument": "colour"}),
        ('{ station(id: "a\\u0000") { id } }', None, {"code": "INVALID_ARGUMENT", "argument": "id"}),
        ("{ station { id } }", None, {"code": "GRAPHQL_VALIDATION_FAILED"}),
        ("{ stations { nodes { colour } } }", None, {"code": "GRAPHQL_VALIDATION_FAILED"}),
        ("{ stations { nodes ", None, {"code": "GRAPHQL_PARSE_FAILED"}),
    ],
)  # fmt: skip
async def test_client_errors_are_coded_and_logged_at_info_without_a_traceback(
    caplog: pytest.LogCaptureFixture, query: str, variables: dict[str, Any] | None, extensions: dict[str, str]
) -> None:
    caplog.set_level(logging.DEBUG)
    role = Role.ANALYST if "alerts" in query else Role.PUBLIC
    errors = await _errors(query, role, variables, production=True)
    assert errors[0]["extensions"] == extensions
    logged = _only_info(caplog)
    assert len(logged) == len(errors)
    assert logged[0].startswith(f"client error {extensions['code']} at ")


async def test_a_fault_is_logged_at_error_with_its_traceback_and_masked_in_production(
    caplog: pytest.LogCaptureFixture,
) -> None:
    errors = await _errors("{ regions { id } }", production=True)
    assert errors == [
        {"message": "Internal error.", "locations": [{"line": 1, "column": 3}], "path": ["regions"]}
    ]
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], asyncpg.UndefinedColumnError)


async def test_an_unreachable_database_is_unavailable_not_a_fault(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    lost = ConnectionResetError("connection reset by peer")
    errors = await _errors("{ regions { id } }", production=True, pool_error=lost)
    assert errors == [
        {
            "message": "PostgreSQL is unavailable; retry in 5 s",
            "locations": [{"line": 1, "column": 3}],
            "path": ["regions"],
            "extensions": {"code": "UNAVAILABLE", "dependency": "postgres", "retryAfter": 5},
        }
    ]
    assert _only_info(caplog) == [
        "client error UNAVAILABLE at regions: PostgreSQL is unavailable; retry in 5 s"
    ]


async def test_a_variable_past_the_error_limit_is_still_an_argument_error() -> None:
    # graphql-core stops at 50 bad values in one variable with an error that names no node.
    query = "query($s: [VerificationState!]) { reviewQueue(states: $s) { __typename } }"
    errors = await _errors(query, Role.COORDINATOR, {"s": ["nope"] * 60}, production=True)
    assert len(errors) == 51
    assert errors[-1]["message"].startswith("Too many errors processing variables")
    expected = {"code": "INVALID_ARGUMENT", "argument": "states", "variable": "s"}
    assert all(e["extensions"] == expected for e in errors)
