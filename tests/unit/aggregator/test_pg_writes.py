"""PostgreSQL writes (services/aggregator/pg_writes.py) against a stand-in pool: rows PostgreSQL
refuses for their content are isolated and handed on, the rest land; transient errors are
retried; a write that keeps failing shows as a stall until it lands. The same against real
PostgreSQL: tests/integration/aggregator/test_refused_rows.py."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest

from services.aggregator import pg_writes
from services.aggregator.domain.rule_config import RulesConfig
from services.aggregator.runtime import Runtime
from services.aggregator.settings import AggregatorSettings

NUL = "a\x00b"


class Pool:
    """Hands out one stand-in connection; `write` decides what each attempt does."""

    def __init__(self) -> None:
        self.conn = SimpleNamespace()
        self.timeouts: list[float | None] = []
        self.expired = 0

    @asynccontextmanager
    async def acquire(self, timeout: float | None = None) -> AsyncIterator[Any]:  # noqa: ASYNC109 (asyncpg's)
        self.timeouts.append(timeout)
        yield self.conn

    async def expire_connections(self) -> None:
        self.expired += 1


def runtime() -> Runtime:
    rt = Runtime(AggregatorSettings(), RulesConfig())
    rt.pool = Pool()  # type: ignore[assignment]
    return rt


class Table:
    """Refuses, like jsonb, any statement holding a NUL; `fail_first` transient failures first."""

    def __init__(self, fail_first: int = 0, error: Exception | None = None) -> None:
        self.rows: list[str] = []
        self.statements: list[list[str]] = []
        self.fail_first = fail_first
        self.error = error or asyncpg.exceptions.ConnectionDoesNotExistError("connection lost")

    async def write(self, conn: Any, rows: Sequence[str]) -> None:
        self.statements.append(list(rows))
        if self.fail_first:
            self.fail_first -= 1
            raise self.error
        if any("\x00" in r for r in rows):
            raise asyncpg.exceptions.UntranslatableCharacterError("unsupported Unicode escape sequence")
        self.rows += rows


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    real_sleep = asyncio.sleep

    async def sleep(_: float) -> None:
        await real_sleep(0)

    monkeypatch.setattr("services.aggregator.pg_writes.asyncio.sleep", sleep)


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (asyncpg.exceptions.UntranslatableCharacterError("unsupported Unicode escape sequence"), True),
        (asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence for encoding"), True),
        (asyncpg.exceptions.NumericValueOutOfRangeError("integer out of range"), True),
        (asyncpg.exceptions.NotNullViolationError("null value in column"), True),
        (asyncpg.exceptions.DeadlockDetectedError("deadlock detected"), False),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), False),
        (asyncpg.exceptions.UndefinedTableError("relation does not exist"), False),
        (asyncpg.exceptions.ConnectionDoesNotExistError("connection lost"), False),
        (OSError("connection refused"), False),
        (TimeoutError(), False),
    ],
)
def test_only_errors_about_the_rows_content_count_as_refused(error: Exception, refused: bool) -> None:
    assert pg_writes.refused(error) is refused


class ClientDataError(asyncpg.InterfaceError, ValueError):
    """What asyncpg raises for a value its codec cannot send (an int beyond int4, say)."""


def test_asyncpg_refusing_a_value_before_sending_it_counts_as_refused() -> None:
    assert pg_writes.refused(ClientDataError("invalid input for query argument $2: 3000000000"))
    assert not pg_writes.refused(asyncpg.InterfaceError("cannot perform operation: another operation"))


async def test_refused_rows_are_isolated_and_handed_on_and_the_others_land() -> None:
    table = Table()
    batch = [f"row {i}" for i in range(20)]
    batch[3], batch[17] = NUL + "3", NUL + "17"
    refused: list[tuple[str, str]] = []

    async def refuse(row: str, error: str) -> None:
        refused.append((row, error))

    await pg_writes.write_with_retry(runtime(), "reports", batch, table.write, refuse)

    assert sorted(table.rows) == sorted(r for r in batch if "\x00" not in r)
    assert [row for row, _ in refused] == [NUL + "3", NUL + "17"]
    assert all("UntranslatableCharacterError: unsupported Unicode escape sequence" in e for _, e in refused)
    assert all(e.startswith("reports: ") for _, e in refused)
    # Halving: a few statements per refused row, not one per row of the batch.
    assert len(table.statements) <= 2 * 2 * 5 + 1


async def test_a_batch_without_refused_rows_is_one_statement() -> None:
    table = Table()

    async def refuse(row: str, error: str) -> None:
        raise AssertionError(row)

    await pg_writes.write_with_retry(runtime(), "alerts", ["a", "b", "c"], table.write, refuse)
    assert table.statements == [["a", "b", "c"]]


async def test_transient_errors_are_retried_until_the_write_lands_and_stall_meanwhile() -> None:
    rt = runtime()
    table = Table(fail_first=3)
    stalled: list[float] = []
    retried, gate = asyncio.Event(), asyncio.Event()

    async def write(conn: Any, rows: Sequence[str]) -> None:
        stalled.append(rt.stalls.longest_s(time.monotonic() + 1))
        if not table.fail_first:
            retried.set()
            await gate.wait()
        await table.write(conn, rows)

    async def refuse(row: str, error: str) -> None:
        raise AssertionError(row)

    writing = asyncio.ensure_future(
        pg_writes.write_with_retry(rt, "station_stats", ["x", "y"], write, refuse)
    )
    await retried.wait()
    assert len(stalled) == 4
    assert stalled[0] == 0.0  # not failing yet
    assert all(s > 0 for s in stalled[1:])  # failing since the first error, until it lands
    gate.set()
    await writing
    assert table.rows == ["x", "y"]
    assert rt.stalls.longest_s(time.monotonic() + 1) == 0.0


async def test_an_error_that_is_not_about_the_rows_is_never_bisected() -> None:
    rt = runtime()
    table = Table(fail_first=2, error=asyncpg.exceptions.UndefinedTableError("relation does not exist"))

    async def refuse(row: str, error: str) -> None:
        raise AssertionError(row)

    await pg_writes.write_with_retry(rt, "alerts", ["a", "b"], table.write, refuse)
    assert table.statements == [["a", "b"]] * 3


async def test_a_large_batch_is_written_in_statements_of_bounded_size_in_order() -> None:
    table = Table()

    async def refuse(row: str, error: str) -> None:
        raise AssertionError(row)

    batch = [f"row {i:05d}" for i in range(2 * pg_writes.STATEMENT_ROWS + 7)]
    await pg_writes.write_with_retry(runtime(), "station_stats", batch, table.write, refuse)
    assert [len(s) for s in table.statements] == [pg_writes.STATEMENT_ROWS, pg_writes.STATEMENT_ROWS, 7]
    assert table.rows == batch


# What a PostgreSQL restart under a write raised (tests/integration/aggregator/test_pg_restart.py):
# InternalClientError stopped the worker, as if the write had failed for good.
CONNECTION_FAILURES = [
    asyncpg.exceptions.InternalClientError("cannot switch to state 15; another operation (2) is in progress"),
    asyncpg.InterfaceError("cannot call Transaction.__aexit__(): the underlying connection is closed"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    ConnectionRefusedError("Connect call failed"),
    TimeoutError(),
]


@pytest.mark.parametrize("error", CONNECTION_FAILURES, ids=lambda e: type(e).__name__)
async def test_a_failed_connection_is_retried_on_fresh_connections(error: Exception) -> None:
    rt = runtime()
    table = Table(fail_first=2, error=error)

    async def refuse(row: str, error: str) -> None:
        raise AssertionError(row)

    await pg_writes.write_with_retry(rt, "reports", ["a", "b"], table.write, refuse)
    assert table.rows == ["a", "b"]
    pool: Pool = rt.pool  # type: ignore[assignment]
    assert pool.expired == 2  # every pooled connection replaced after each failure
    assert pool.timeouts == [pg_writes.ACQUIRE_TIMEOUT_S] * 3  # no wait for a connection is endless


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.exceptions.UndefinedTableError("relation does not exist"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_statement_failing_on_a_sound_connection_keeps_the_pool(error: Exception) -> None:
    rt = runtime()
    table = Table(fail_first=1, error=error)

    async def refuse(row: str, error: str) -> None:
        raise AssertionError(row)

    await pg_writes.write_with_retry(rt, "alerts", ["a"], table.write, refuse)
    assert table.rows == ["a"]
    assert rt.pool.expired == 0  # type: ignore[union-attr]
