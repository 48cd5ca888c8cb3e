"""The region agent rebuilds its view of every station from PostgreSQL (the station agent's own
figures), not from a changelogged copy: what a worker that takes the region partition over
after a rebalance starts from."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import asyncpg

from services.aggregator import faust_tuning, sink
from services.aggregator.domain.rule_config import load_rules
from services.aggregator.region_agent import RegionAgent
from services.aggregator.runtime import Runtime
from services.aggregator.settings import AggregatorSettings
from services.common.contracts import codec
from services.common.contracts import events as ev
from tests.support.factories import ELECTION_DAY


def _stats(station: str, ballots: int) -> ev.StationStats:
    return ev.StationStats(
        station, "ALA", 1000, ballots, ballots / 10, 2.5, 4, 0.4, {}, {}, ELECTION_DAY, 1, None, 9,
        ELECTION_DAY + timedelta(minutes=ballots),
    )  # fmt: skip


async def test_region_view_is_loaded_from_the_stations_own_figures(
    database_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    own = [_stats("ALA-0001", 300), _stats("ALA-0002", 450)]
    settings = AggregatorSettings(data_dir=tmp_path)
    # The aggregator's own kind of app (RocksDB tables, the test broker); it is never started:
    # the load reads PostgreSQL only.
    app = faust_tuning.App(
        "reload-test",
        broker=f"kafka://{kafka_bootstrap}",
        store="rocksdb://",
        datadir=str(tmp_path / "state"),
        web_enabled=False,
    )
    rt = Runtime(settings, load_rules(settings.rules_path()))
    rt.pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        async with rt.pool.acquire() as conn:
            await sink.write_station_stats(
                conn, own, {s.station_id: codec.encode_station_stats(s) for s in own}
            )
            # The region agent's own overlay (silence) on one of them must not be what it reloads.
            await sink.write_station_stats(conn, [replace(own[0], silent=True, open_alerts=3)])
        agent = RegionAgent(app, rt)
        await agent._load()
    finally:
        await rt.pool.close()
    assert agent.book.members == {s.station_id: s for s in own}
    assert agent.loaded
