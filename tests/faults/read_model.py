"""Checking the read model against what was acknowledged: every acknowledged report in
PostgreSQL exactly once, station counters equal to the rows, and every alert transition the
domain gives for those reports on the alerts topic and in the alerts table, none lost, none
doubled."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.common.contracts import codec
from services.common.contracts import events as ev
from tests.faults.expected import STATION_RULES, Expected, transition_key

SHOWN = 5  # ids named per problem


@dataclass
class Findings:
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, not in `reports`
    phantom: list[str] = field(default_factory=list)  # in `reports`, never acknowledged
    duplicated: int = 0  # counted more often than acknowledged
    counters: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    alerts_lost: list[str] = field(default_factory=list)
    alerts_doubled: list[str] = field(default_factory=list)
    alerts_table: list[str] = field(default_factory=list)
    transitions: int = 0
    replayed_copies: int = 0  # the same transition sent again (harmless: versions make it idempotent)

    def problems(self) -> list[str]:
        named = {
            "acknowledged reports missing from the read model": self.lost,
            "reports in the read model never acknowledged": self.phantom,
            "station figures differ from the reports": self.counters,
            "reports applied out of their station's order": self.out_of_order,
            "alert transitions lost": self.alerts_lost,
            "alert transitions doubled or changed": self.alerts_doubled,
            "alerts table differs from the alerts topic": self.alerts_table,
        }
        return [f"{len(v)} {what}: {v[:SHOWN]}" for what, v in named.items() if v]


async def read_alerts(bootstrap: str, topic: str, within_s: float = 60) -> list[ev.Alert]:
    """Every message on the alerts topic, from the beginning to its current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            partitions = [TopicPartition(topic, p) for p in range(3)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        out: list[ev.Alert] = []
        deadline = time.monotonic() + within_s
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the alerts topic was not read to its end in {within_s} s")
            for messages in (await consumer.getmany(timeout_ms=1000)).values():
                out += [codec.decode_alert(m.value) for m in messages if m.value is not None]
        return out
    finally:
        await consumer.stop()


async def inspect(
    conn: asyncpg.Connection,
    acknowledged: Mapping[str, ev.Report],
    expected: Expected,
    alerts: list[ev.Alert],
) -> Findings:
    """Compares the read model with the acknowledged reports; applies to `expected` each station's
    reports once all of them are in PostgreSQL, in the order the aggregator read them."""
    found = Findings(acknowledged=len(acknowledged))
    rows = await conn.fetch("SELECT id, station_id, kafka_offset FROM reports")
    stored = {r["id"]: r for r in rows}
    found.lost = sorted(set(acknowledged) - set(stored))
    found.phantom = sorted(set(stored) - set(acknowledged))
    by_station: dict[str, list[ev.Report]] = defaultdict(list)
    for report in acknowledged.values():
        by_station[report.station_id].append(report)
    lost = set(found.lost)
    complete = {sid for sid, reports in by_station.items() if not any(r.id in lost for r in reports)}
    for sid in sorted(complete):
        fresh = sorted(
            (r for r in by_station[sid] if r.id not in expected.applied),
            key=lambda r: stored[r.id]["kafka_offset"],
        )
        applied = [stored[r.id]["kafka_offset"] for r in by_station[sid] if r.id in expected.applied]
        if fresh and applied and stored[fresh[0].id]["kafka_offset"] < max(applied):
            found.out_of_order.append(fresh[0].id)
        expected.apply(fresh)
    await _compare_figures(conn, by_station, complete, expected, found)
    _compare_transitions(alerts, complete, expected, found)
    await _compare_alert_rows(conn, alerts, complete, expected, found)
    return found


async def _compare_figures(
    conn: asyncpg.Connection,
    by_station: Mapping[str, list[ev.Report]],
    complete: set[str],
    expected: Expected,
    found: Findings,
) -> None:
    figures = {r["station_id"]: r for r in await conn.fetch("SELECT * FROM station_stats")}
    rows: dict[str, int] = {
        r["station_id"]: r["n"]
        for r in await conn.fetch("SELECT station_id, count(*) AS n FROM reports GROUP BY station_id")
    }
    for sid in sorted(complete):
        acked = len(by_station[sid])
        row = figures.get(sid)
        processed = row["reports_processed"] if row else 0
        found.duplicated += max(0, processed - acked)
        if processed != acked or rows.get(sid, 0) != acked:
            found.counters.append(
                f"{sid}: acknowledged {acked}, rows {rows.get(sid, 0)}, counted {processed}"
            )
            continue
        assert row is not None
        state = expected.states[sid]
        latest = state.latest_turnout()
        want = (latest[1].ballots, latest[1].home) if latest else (0, 0)
        got = (row["ballots_issued"], row["home_voting_applications"])
        if got != want:
            found.counters.append(f"{sid}: ballots and home voting {got}, the reports give {want}")


def _compare_transitions(
    alerts: list[ev.Alert], complete: set[str], expected: Expected, found: Findings
) -> None:
    """The station rules' transitions on the topic against the domain's, one for one."""
    seen: dict[tuple[str, int], list[ev.Alert]] = defaultdict(list)
    for alert in alerts:
        if alert.rule in STATION_RULES and alert.station_id in complete:
            seen[(alert.id, alert.version)].append(alert)
    want = {
        k: a for k, a in expected.transitions.items() if a.rule in STATION_RULES and a.station_id in complete
    }
    found.transitions = len(want)
    found.alerts_lost = [f"{k[0]} v{k[1]} {want[k].transition.value}" for k in sorted(set(want) - set(seen))]
    for key, copies in sorted(seen.items()):
        found.replayed_copies += len(copies) - 1
        expected_alert = want.get(key)
        if expected_alert is None:
            found.alerts_doubled.append(f"{key[0]} v{key[1]} {copies[0].transition.value} (not expected)")
        elif differing := [c for c in copies if transition_key(c) != transition_key(expected_alert)]:
            what = _difference(differing[0], expected_alert)
            found.alerts_doubled.append(f"{key[0]} v{key[1]}: {len(differing)}/{len(copies)} differ: {what}")


def _difference(sent: ev.Alert, wanted: ev.Alert) -> str:
    """The fields of a transition that differ from the domain's (`field sent != domain's`)."""
    fields = ("transition", "state", "severity", "report_ids", "updated_at", "confidence")
    return "; ".join(
        f"{name} {getattr(sent, name)!s} != {getattr(wanted, name)!s}"
        for name in fields
        if getattr(sent, name) != getattr(wanted, name)
    )


async def _compare_alert_rows(
    conn: asyncpg.Connection, alerts: list[ev.Alert], complete: set[str], expected: Expected, found: Findings
) -> None:
    """Each alert's row holds its latest transition on the topic (all rules), and for the station
    rules the domain's latest."""
    rows = {r["id"]: r for r in await conn.fetch("SELECT id, rule, station_id, state, version FROM alerts")}
    latest: dict[str, ev.Alert] = {}
    for alert in alerts:
        if alert.id not in latest or latest[alert.id].version < alert.version:
            latest[alert.id] = alert
    for alert_id, alert in sorted(latest.items()):
        row = rows.get(alert_id)
        if row is None or (row["version"], row["state"]) != (alert.version, alert.state.value):
            got = None if row is None else (row["version"], row["state"])
            found.alerts_table.append(f"{alert_id}: row {got}, topic v{alert.version} {alert.state.value}")
    for alert_id in sorted(set(rows) - set(latest)):
        found.alerts_table.append(f"{alert_id}: row without a transition on the topic")
    for alert_id, alert in sorted(expected.final_alerts().items()):
        row = rows.get(alert_id)
        if alert.station_id in complete and (row is None or row["version"] != alert.version):
            found.alerts_lost.append(f"{alert_id}: row {row and row['version']}, expected v{alert.version}")
