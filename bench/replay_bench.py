"""The real elections replayed through the whole stack, each with its rules profile.

For Russia 2011, 2012 and 2024 (../shared/data/russia_dkobak): `pollwatch replay` against the
three services started with AGGREGATOR_RULES_PROFILE set to the election's, until the replay
exits (it waits for every protocol in the read model). Per election: the time to send and to
the last protocol, whether every protocol arrived (the replay's exit status), the share of
stations each rule alerted, the share the file itself implies for abnormal_turnout (the rule
fires on the final turnout, so the two must agree) and protocol_inconsistent, error and
warning lines in the services' logs, and peak memory. For 2012, a raw producer sending as many
encoded reports is the baseline of the send time.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import numpy as np
from aiokafka import AIOKafkaProducer

from bench.support import fresh_settings, metric_sum, pipeline, raw_topic
from services.aggregator.domain.protocol_check import problems
from services.aggregator.domain.rule_config import load_rules, profile_file
from services.common.contracts import codec
from services.common.contracts import events as ev
from services.common.infra.settings import SharedSettings
from services.forensics.datasets import load
from services.simulator.batch_sender import MAX_BATCH
from services.simulator.elections import Election, election_for
from services.simulator.replay_model import replayed_stations
from tests.support.processes import service_env
from tests.support.shared_data import shared_data

YEARS = tuple(os.environ.get("PW_BENCH_REPLAYS", "2011,2012,2024").split(","))
LIMIT = os.environ.get("PW_BENCH_REPLAY_LIMIT")  # all stations unless set
WAIT_S = os.environ.get("PW_BENCH_REPLAY_WAIT_S", "900")
RULES = (
    "abnormal_turnout",
    "turnout_jump",
    "turnout_outlier",
    "home_voting",
    "incident_burst",
    "grave_incident",
    "silent_station",
    "protocol_refused",
    "protocol_inconsistent",
)
# A log line's level: plain (`... WARNING name: ...`), faust/mode (`[WARNING]`), or JSON.
LEVEL = re.compile(r'\b(ERROR|CRITICAL|WARNING)\b|"level": ?"(error|critical|warning)"')
STAMP = re.compile(r"^\[?\d{4}-\d\d-\d\d[ T][\d:,.]+\]?\s*")
NUMBER = re.compile(r"\d+")  # pids, sizes: one line per kind of message
# The replay's progress lines on stderr (left out of its error output).
PROGRESS = re.compile(r"^(replay|read model): [\d,]+/[\d,]+ ")


def log_levels(lines: Iterable[str]) -> tuple[int, int, Counter[str]]:
    """Error (and critical) lines, warning lines, and each kind of them (timestamp left out,
    numbers as N)."""
    errors = warnings = 0
    distinct: Counter[str] = Counter()
    for line in lines:
        found = LEVEL.search(line)
        if found is None:
            continue
        level = (found.group(1) or found.group(2)).upper()
        if level == "WARNING":
            warnings += 1
        else:
            errors += 1
        distinct[NUMBER.sub("N", STAMP.sub("", line.strip()))[:160]] += 1
    return errors, warnings, distinct


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def raw_produce_seconds(shared: SharedSettings, count: int) -> float:
    """The same number of encoded reports through a raw idempotent producer (the baseline)."""
    topic = await raw_topic(shared, "raw-replay")
    now = datetime.now(UTC)
    value = codec.encode_report(
        ev.Report("r", "S", "m", ev.Channel.HTTP, now, now, ev.TurnoutUpdate(500, 10))
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=shared.kafka_bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    started = time.monotonic()
    try:
        for chunk in range(0, count, MAX_BATCH):
            futures = [
                await producer.send(topic, value, key=f"S{i % 1000}".encode())
                for i in range(chunk, min(count, chunk + MAX_BATCH))
            ]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.monotonic() - started


async def alerted_stations(shared: SharedSettings) -> dict[str, int]:
    """Stations with at least one alert (any state) per rule."""
    conn = await asyncpg.connect(shared.database_url.get_secret_value())
    try:
        rows = await conn.fetch("SELECT rule, count(DISTINCT station_id) AS n FROM alerts GROUP BY rule")
    finally:
        await conn.close()
    return {r["rule"]: int(r["n"]) for r in rows}


def file_shares(path: Path, profile: str) -> dict[str, float]:
    """What the file implies, per station replayed: turnout at or above the profile's
    abnormal_turnout warning, and protocols that do not add up."""
    p = replayed_stations(load(path).protocols, int(LIMIT) if LIMIT else None)
    rules = load_rules(profile_file(profile))
    turnout = 100 * p.issued / p.registered
    names = p.candidate_names
    votes = p.candidate_votes if p.candidate_votes is not None else np.zeros((p.size, 0), dtype=np.int64)
    bad = sum(
        bool(
            problems(
                ev.FinalProtocol(
                    int(p.registered[i]),
                    max(int(p.registered[i]), int(p.issued[i])),
                    int(p.issued[i]),
                    int(p.valid[i] + p.invalid[i]),
                    int(p.valid[i]),
                    int(p.invalid[i]),
                    dict(zip(names, map(int, votes[i]), strict=True)),
                    True,
                )
            )
        )
        for i in range(p.size)
    )
    return {
        "abnormal_turnout": float(np.mean(turnout >= rules.abnormal_turnout.warning)),
        "protocol_inconsistent": bad / p.size,
    }


@dataclass
class Replayed:
    """One replay through the three services, and what they left behind."""

    shared: SharedSettings
    result: subprocess.CompletedProcess[str]
    seconds: float
    peak_rss_mib: dict[str, float]
    rocksdb_mib: float
    logs: list[str]

    def number(self, pattern: str) -> float:
        found = re.search(pattern, self.result.stdout, re.M)
        return float(found.group(1)) if found else float("nan")


def window_env(election: Election) -> dict[str, str]:
    """A reporting window around the election's days, as its deployment would set one (ingest
    warns when there is none): from two days before the first to the end of two days after the last."""
    opens = datetime.combine(election.days[0] - timedelta(days=2), datetime.min.time(), UTC)
    closes = datetime.combine(election.days[-1] + timedelta(days=3), datetime.min.time(), UTC)
    return {
        "POLLWATCH_REPORTING_OPENS_AT": opens.isoformat(),
        "POLLWATCH_REPORTING_CLOSES_AT": closes.isoformat(),
    }


def replayed(path: Path, profile: str) -> Replayed:
    shared = fresh_settings()
    env = {
        **window_env(election_for(path)),
        "AGGREGATOR_RULES_PROFILE": profile,
        "AGGREGATOR_WALL_CLOCK_SILENCE": "false",  # event time only, as in tests: reproducible
        # As in production: without it ingest warns that /v1/sms trusts every caller.
        "INGEST_SMS_WEBHOOK_SECRET": "bench-replay",
    }
    args = [sys.executable, "-m", "services", "replay", str(path), "--wait-s", WAIT_S]
    if LIMIT:
        args += ["--limit", LIMIT]
    with pipeline(shared, **env) as services:
        started = time.monotonic()
        args += ["--ingest-url", services["ingest"].url]
        result = subprocess.run(args, env=service_env(shared), capture_output=True, text=True)
        seconds = time.monotonic() - started
        memory = {name: peak_rss_mib(s.process.pid) for name, s in services.items()}
        metrics = httpx.get(f"{services['aggregator'].url}/metrics", timeout=10).text
        logs = [line for s in services.values() for line in s.log.read_text(errors="replace").splitlines()]
    rocksdb = metric_sum(metrics, "pollwatch_aggregator_store_memory_bytes") / 2**20
    return Replayed(shared, result, seconds, memory, rocksdb, logs)


def replay_one(year: str) -> dict[str, float | str]:
    path = shared_data() / "russia_dkobak" / f"{year}.csv.zip"
    key = f"ru{year}"
    if not path.exists():
        return {f"{key}_skipped_no_data": 1.0}
    election = election_for(path)
    run = replayed(path, election.key)
    # "replay <run>: <name>, <N> stations, <M> reports"
    stations = run.number(r"^replay \S+: .*, (\d+) stations, ")
    reports = run.number(r" stations, (\d+) reports$")
    errors, warnings, distinct = log_levels(run.logs)
    complete = run.result.returncode == 0 and "read model: all" in run.result.stdout
    figures: dict[str, float | str] = {
        f"{key}_stations": stations,
        f"{key}_reports": reports,
        f"{key}_sent_s": run.number(r"^sent in ([\d.]+) s$"),
        f"{key}_until_exit_s": run.seconds,
        f"{key}_all_protocols_in": float(complete),
        f"{key}_log_errors": float(errors),
        f"{key}_log_warnings": float(warnings),
    }
    for n, (line, count) in enumerate(distinct.most_common(5)):
        figures[f"{key}_log_{n + 1}"] = f"{count} x {line}"
    if run.result.returncode != 0:
        stderr = [line for line in run.result.stderr.splitlines() if not PROGRESS.match(line)]
        figures[f"{key}_replay_stderr"] = "\n".join(stderr)[-800:]
    alerted = asyncio.run(alerted_stations(run.shared))
    for rule in RULES:  # percent of the stations replayed
        figures[f"{key}_pct_alerted_{rule}"] = 100 * alerted.get(rule, 0) / stations
    for rule, share in file_shares(path, election.key).items():
        figures[f"{key}_pct_in_file_{rule}"] = 100 * share
    figures |= {f"{key}_peak_rss_{name}_mib": mib for name, mib in run.peak_rss_mib.items()}
    figures[f"{key}_aggregator_rocksdb_mib"] = run.rocksdb_mib
    if year == "2012":
        raw_s = asyncio.run(raw_produce_seconds(run.shared, int(reports)))
        figures[f"{key}_raw_producer_same_reports_s"] = raw_s
        figures[f"{key}_sent_over_raw"] = float(figures[f"{key}_sent_s"]) / raw_s
    return figures


def run() -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    for year in YEARS:
        figures = replay_one(year)
        for name, value in figures.items():
            print(f"{name:44s} {value:14.3f}" if isinstance(value, float) else f"{name:44s} {value}")
        out |= figures
    return out


if __name__ == "__main__":
    run()
