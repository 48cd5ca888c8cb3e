"""Group commit of the dedup table on real PostgreSQL: one winner per id, whatever the concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack
from datetime import timedelta

import asyncpg
import pytest

from services.ingest import dedup_store
from services.ingest.dedup import Deduplicator, Outcome
from services.ingest.dedup_store import ClaimState, DedupStore
from services.ingest.errors import UnavailableError
from services.ingest.metrics import IngestMetrics
from tests.support.infra import Infra

WINDOW = timedelta(hours=72)
TTL = timedelta(seconds=30)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    p = await asyncpg.create_pool(database_url, min_size=1, max_size=12)
    try:
        yield p
    finally:
        try:
            await asyncio.wait_for(p.close(), 10)
        except TimeoutError:
            p.terminate()


def new_store(pool: asyncpg.Pool, metrics: IngestMetrics | None = None) -> DedupStore:
    return DedupStore(pool, WINDOW, TTL, timeout=5, metrics=metrics or IngestMetrics())


def statements(metrics: IngestMetrics) -> float:
    return metrics.registry.get_sample_value("pollwatch_ingest_dedup_batch_ids_count") or 0.0


async def test_concurrent_claims_of_one_id_from_many_stores_have_one_winner(pool: asyncpg.Pool) -> None:
    """Ten stores (as ten replicas, each on its own connection) claim the same ids at once."""
    async with AsyncExitStack() as stack:
        stores = [new_store(pool) for _ in range(10)]
        for store in stores:
            stack.push_async_callback(store.close)
        winners: dict[str, DedupStore] = {}
        for round_ in range(5):
            ids = [f"r{round_}-shared", f"r{round_}-other"]
            answers = await asyncio.gather(
                *(s.claim(ids if k % 2 else ids[::-1]) for k, s in enumerate(stores))
            )
            for report_id in ids:
                states = [a[report_id] for a in answers]
                assert states.count(ClaimState.CLAIMED) == 1, states
                assert states.count(ClaimState.HELD) == len(stores) - 1
                winners[report_id] = stores[states.index(ClaimState.CLAIMED)]
        # Once accepted, a claim anywhere says so; a claim released by its owner can be taken
        # again (a release by another store gives up nothing).
        await stores[0].accept(["r0-shared"])
        loser = next(s for s in stores if s is not winners["r0-other"])
        await loser.release(["r0-other"])
        assert (await loser.claim(["r0-other"]))["r0-other"] is ClaimState.HELD
        await winners["r0-other"].release(["r0-other"])
        assert await stores[2].claim(["r0-shared", "r0-other"]) == {
            "r0-shared": ClaimState.ACCEPTED,
            "r0-other": ClaimState.CLAIMED,
        }


async def test_concurrent_requests_share_one_statement_and_each_gets_its_own_answer(
    pool: asyncpg.Pool, db: asyncpg.Connection
) -> None:
    metrics = IngestMetrics()
    store = new_store(pool, metrics)
    try:
        await store.claim(["old"])
        await store.accept(["old"])
        before = statements(metrics)
        answers = await asyncio.gather(*(store.claim([f"id-{i}", "old"]) for i in range(100)))
        # All hundred callers queued while the writer was not yet running: one statement.
        assert statements(metrics) == before + 1
        for i, answer in enumerate(answers):
            assert answer == {f"id-{i}": ClaimState.CLAIMED, "old": ClaimState.ACCEPTED}
        await asyncio.gather(*(store.accept([f"id-{i}"]) for i in range(0, 100, 2)))
        await asyncio.gather(*(store.release([f"id-{i}"]) for i in range(1, 100, 2)))
        rows = await db.fetch(
            "SELECT id, accepted_at IS NOT NULL AS accepted FROM ingest_dedup WHERE id LIKE 'id-%'"
        )
        assert {r["id"]: r["accepted"] for r in rows} == {f"id-{i}": True for i in range(0, 100, 2)}
    finally:
        await store.close()


async def test_copies_in_one_process_wait_for_the_first_and_a_restart_remembers(pool: asyncpg.Pool) -> None:
    store = new_store(pool)
    dedup = Deduplicator(pool, store, WINDOW, cache_size=1000)
    claims = await asyncio.gather(*(dedup.claim(["same"]) for _ in range(20)))
    new = [c for c in claims if c.new]
    assert len(new) == 1
    waiting = [c.waiting[0] for c in claims if c.waiting]
    assert len(waiting) == 19
    assert await dedup.accept(["same"])
    assert {await w for w in waiting} == {Outcome.DUPLICATE}
    await store.close()
    # A new process (no cache, new store) finds the id accepted in PostgreSQL.
    fresh_store = new_store(pool)
    fresh = Deduplicator(pool, fresh_store, WINDOW, cache_size=0)
    try:
        assert (await fresh.claim(["same", "else"])).outcomes == {0: Outcome.DUPLICATE, 1: Outcome.NEW}
    finally:
        await fresh_store.close()


async def test_a_lost_connection_is_replaced_and_an_unreachable_store_is_unavailable(
    pool: asyncpg.Pool, db: asyncpg.Connection, infra: Infra
) -> None:
    store = new_store(pool)
    others = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    name = await db.fetchval("SELECT current_database()")
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        assert await store.claim(["a"]) == {"a": ClaimState.CLAIMED}
        await db.execute(others)
        assert await store.claim(["b"]) == {"b": ClaimState.CLAIMED}
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await db.execute(others)
        with pytest.raises(UnavailableError):
            await store.claim(["c"])
        with pytest.raises(UnavailableError):
            await store.accept(["b"])
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert await store.claim(["a", "c"]) == {"a": ClaimState.HELD, "c": ClaimState.CLAIMED}
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
        await store.close()


async def test_a_claim_left_by_a_replica_that_is_gone_is_taken_over_at_once(database_url: str) -> None:
    """A replica killed while writing leaves its claims behind. Once PostgreSQL has ended its
    session, a resend reaching another replica takes them over at once (the claim TTL is an
    hour here, so only the owner's end explains it); while the owner lives, they are held."""
    hour = timedelta(hours=1)
    killed_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    live_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    killed = DedupStore(killed_pool, WINDOW, hour, timeout=5, metrics=IngestMetrics())
    live = DedupStore(live_pool, WINDOW, hour, timeout=5, metrics=IngestMetrics())
    witness = DedupStore(live_pool, WINDOW, hour, timeout=5, metrics=IngestMetrics())
    try:
        assert await killed.claim(["a", "b"]) == {"a": ClaimState.CLAIMED, "b": ClaimState.CLAIMED}
        await killed.accept(["b"])
        assert await live.claim(["a", "b"]) == {"a": ClaimState.HELD, "b": ClaimState.ACCEPTED}
        killed_pool.terminate()  # as SIGKILL: its connections drop, nothing is released
        deadline = asyncio.get_running_loop().time() + 10
        while (state := (await live.claim(["a"]))["a"]) is ClaimState.HELD:
            assert asyncio.get_running_loop().time() < deadline, "the dead replica's claim is still held"
            await asyncio.sleep(0.2)
        assert state is ClaimState.CLAIMED
        # The claim is the live replica's now: held for everyone else, and an acceptance stays.
        assert await witness.claim(["a"]) == {"a": ClaimState.HELD}
        assert await witness.claim(["b"]) == {"b": ClaimState.ACCEPTED}
    finally:
        await witness.close()
        await live.close()
        await live_pool.close()


async def test_a_release_gives_up_only_the_releasing_replica_s_own_claim(
    database_url: str, pool: asyncpg.Pool, db: asyncpg.Connection
) -> None:
    """A replica whose session PostgreSQL ended has its claim taken over; its late release of
    that write (failed, on a new session) must not give up the claim now held by another, which
    would let a third copy be written."""
    cut_pool = await asyncpg.create_pool(
        database_url, min_size=1, max_size=1, server_settings={"application_name": "cut-off"}
    )
    cut_off = DedupStore(cut_pool, WINDOW, TTL, timeout=5, metrics=IngestMetrics())
    taker, witness = new_store(pool), new_store(pool)
    try:
        assert await cut_off.claim(["x"]) == {"x": ClaimState.CLAIMED}
        await db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cut-off'"
        )
        deadline = asyncio.get_running_loop().time() + 10
        while (await taker.claim(["x"]))["x"] is ClaimState.HELD:
            assert asyncio.get_running_loop().time() < deadline, "the cut-off replica's claim is still held"
            await asyncio.sleep(0.2)
        await cut_off.release(["x"])  # on a new session: the statement is retried once
        assert await witness.claim(["x"]) == {"x": ClaimState.HELD}
    finally:
        for store in (cut_off, taker, witness):
            await store.close()
        await cut_pool.close()


async def test_acceptances_wait_for_a_claim_and_share_its_statement(
    pool: asyncpg.Pool, db: asyncpg.Connection
) -> None:
    metrics = IngestMetrics()
    # A long linger, so that the claim below surely arrives while the acceptance waits.
    store = DedupStore(pool, WINDOW, TTL, timeout=5, metrics=metrics, accept_linger=30)
    try:
        assert await store.claim(["first"]) == {"first": ClaimState.CLAIMED}
        before = statements(metrics)
        accepting = asyncio.ensure_future(store.accept(["first"]))
        await asyncio.sleep(0.05)
        assert not accepting.done()  # lingering for a claim
        assert await store.claim(["second"]) == {"second": ClaimState.CLAIMED}
        await accepting
        assert statements(metrics) == before + 1  # one statement for both
        accepted = await db.fetchval("SELECT accepted_at IS NOT NULL FROM ingest_dedup WHERE id = 'first'")
        assert accepted is True
    finally:
        await store.close()


async def test_asynchronous_commits_stay_on_the_store_connection(database_url: str) -> None:
    """INGEST_DEDUP_SYNCHRONOUS_COMMIT=false: the writer's session commits without waiting for
    the WAL flush, and the pool's reset undoes it when the connection goes back."""
    single = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        store = DedupStore(single, WINDOW, TTL, timeout=5, metrics=IngestMetrics(), synchronous_commit=False)
        try:
            assert await store.claim(["async"]) == {"async": ClaimState.CLAIMED}
            assert store._conn is not None
            assert await store._conn.fetchval("SHOW synchronous_commit") == "off"
        finally:
            await store.close()
        async with single.acquire() as conn:  # the same, only connection
            assert await conn.fetchval("SHOW synchronous_commit") == "on"
            assert await conn.fetchval("SELECT accepted_at IS NULL FROM ingest_dedup WHERE id = 'async'")
    finally:
        await single.close()


async def test_the_writer_plans_its_statements_once_and_reaches_rows_by_key(database_url: str) -> None:
    """The writer's session uses generic plans (planned once, not per execution), and they look
    rows up by primary key even on an empty table, whose statistics would favour a scan; the
    pool's reset undoes both settings and the owner's lock."""
    single = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    try:
        store = DedupStore(single, WINDOW, TTL, timeout=5, metrics=IngestMetrics())
        try:
            for n in range(8):
                await store.claim([f"plan-{n}"])
            conn = store._conn
            assert conn is not None
            plans = await conn.fetchrow(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
                dedup_store._WRITE,
            )
            assert plans is not None
            assert (plans["generic_plans"], plans["custom_plans"]) == (8, 0)
            await conn.execute(
                f"PREPARE probe (text[], interval, text[], text[], interval, int8) AS {dedup_store._WRITE}"
            )
            rows = await conn.fetch("EXPLAIN EXECUTE probe ('{a}', '30 s', '{b}', '{c}', '72 h', 7)")
            plan = "\n".join(r[0] for r in rows)
            await conn.execute("DEALLOCATE probe")
            assert "Seq Scan" not in plan, plan
            assert plan.count("ingest_dedup_pkey") >= 3, plan  # accept, release, conflict
            await store.accept(["plan-0"])
            assert await store.claim(["plan-0", "plan-1", "plan-8"]) == {
                "plan-0": ClaimState.ACCEPTED,  # read by the second statement, as is plan-1
                "plan-1": ClaimState.HELD,
                "plan-8": ClaimState.CLAIMED,
            }
            await conn.execute(f"PREPARE known (text[]) AS {dedup_store._KNOWN}")
            rows = await conn.fetch("EXPLAIN EXECUTE known ('{a}')")
            await conn.execute("DEALLOCATE known")
            plan = "\n".join(r[0] for r in rows)
            assert "Seq Scan" not in plan, plan
            assert "ingest_dedup_pkey" in plan, plan
        finally:
            await store.close()
        async with single.acquire() as conn:  # the same, only connection
            assert await conn.fetchval("SHOW plan_cache_mode") == "auto"
            assert await conn.fetchval("SHOW enable_seqscan") == "on"
            held = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
            assert await conn.fetchval(held) == 0
    finally:
        await single.close()


async def test_a_record_in_the_background_reports_whether_it_was_written(
    database_url: str, db: asyncpg.Connection
) -> None:
    """`record_soon` (the acceptance written after the 202): the callback hears, once the group
    commit is done, whether the ids were written; a copy is a duplicate meanwhile either way."""
    single = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    store = DedupStore(single, WINDOW, TTL, timeout=5, metrics=IngestMetrics())
    dedup = Deduplicator(single, store, WINDOW, cache_size=0)
    heard: list[tuple[list[str], bool]] = []

    def recorded(ids: Sequence[str], ok: bool) -> None:
        heard.append((list(ids), ok))

    try:
        assert (await dedup.claim(["kept", "lost"])).new == [0, 1]
        dedup.acknowledged(["kept"])
        await dedup.record_soon(["kept"], recorded)
        single.terminate()  # the store is unreachable from now on
        dedup.acknowledged(["lost"])
        lost = dedup.record_soon(["lost"], recorded)
        assert (await dedup.claim(["lost"])).outcomes == {0: Outcome.DUPLICATE}  # still known here
        with pytest.raises(UnavailableError):
            await lost
    finally:
        await store.close()
    assert heard == [(["kept"], True), (["lost"], False)]
    rows = await db.fetch("SELECT id, accepted_at IS NOT NULL AS accepted FROM ingest_dedup ORDER BY id")
    assert [tuple(r) for r in rows] == [("kept", True), ("lost", False)]
