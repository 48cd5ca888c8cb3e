"""The three services as processes, after a little real work: every metric the dashboard and the alert
rules use is exported by some service, the required signals exist, and the metrics follow the naming
and cardinality conventions. Known service-side gaps are strict xfails (they flip when fixed)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
import yaml
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from services.api.auth import Role, generate_key, hash_secret
from services.api.repository.keys import insert_key
from services.common.infra.kafka_admin import ensure_topics
from services.common.infra.migrate import apply_migrations
from services.common.infra.settings import SharedSettings
from services.common.registry.station_store import store_registry
from services.common.registry.stations import Region, Registry, Station
from services.ingest.monitors import add_monitor
from tests.support.infra import Infra
from tests.support.processes import Service, free_port, run_all, run_service, service_env

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD = ROOT / "deploy/grafana/election-day.json"
RULES = ROOT / "deploy/prometheus/rules.yaml"
SERVICES = ("ingest", "aggregator", "api")
# Made by Prometheus itself, not by a service.
SYNTHETIC = {"up"}
# Identities and secrets: never labels (cardinality, and a scrape must not expose a monitor).
FORBIDDEN_LABELS = {"station", "station_id", "key", "key_id", "api_key", "token", "monitor", "monitor_id"}
FORBIDDEN_LABELS |= {"phone", "id", "report_id"}
MAX_LABEL_VALUES = 50
DISTINCT_OPERATIONS = MAX_LABEL_VALUES + 10

# --- what the dashboard and the rules use -------------------------------------------------------

_PROMQL_WORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right"}
_PROMQL_WORDS |= {"offset", "bool", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers that are not functions, keywords or labels."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges, $__rate_interval
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for m in re.finditer(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", text):
        if m.group(2) is None and m.group(1).lower() not in _PROMQL_WORDS:
            names.add(m.group(1))
    return names


def _used() -> dict[str, list[str]]:
    """metric name -> where it is used."""
    used: dict[str, list[str]] = {}
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        for target in panel.get("targets", []):
            for name in metric_names(target["expr"]):
                used.setdefault(name, []).append(f"panel {panel['title']!r}")
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            for name in metric_names(rule["expr"]):
                used.setdefault(name, []).append(f"alert {rule.get('alert', rule.get('record'))}")
    return used


USED = _used()
KNOWN_MISSING: dict[str, str] = {}


def test_the_name_extractor_reads_promql() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le, route) (rate(a_seconds_bucket{status=~"5..",x="y z"}[5m])))'
        " / on (job) group_left (instance) b_total offset 5m > bool 3 unless max(c:d) or vector(0)"
    )
    assert metric_names(expr) == {"a_seconds_bucket", "b_total", "c:d"}
    assert "pollwatch_ingest_reports_total" in USED
    assert "pollwatch_aggregator_consumer_lag_messages" in USED


# --- the services, after some work --------------------------------------------------------------


@dataclass
class Scrape:
    families: dict[str, list[Metric]]  # service -> its metric families

    def exported(self) -> set[str]:
        """Every series name a query could use, whether or not a sample exists yet."""
        names: set[str] = set()
        for family in (f for fams in self.families.values() for f in fams):
            names.add(family.name)
            names.update(s.name for s in family.samples)
            suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
            names.update(family.name + s for s in suffixes.get(family.type, ()))
        return names

    def family(self, name: str) -> Metric:
        # The parser names a counter's family without its _total.
        found = [f for fams in self.families.values() for f in fams if name in (f.name, f.name + "_total")]
        assert found, f"{name}: no service exports it"
        return found[0]


REGISTRY = Registry(
    regions=(Region("ALA", "Almaty"),),
    stations=(Station("ALA-0001", "ALA", "School 1", 1000), Station("ALA-0002", "ALA", "School 2", 800)),
)


async def _database(infra: Infra) -> str:
    name = f"pw_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name


async def _drop(infra: Infra, name: str) -> None:
    admin = await asyncpg.connect(infra.admin_database_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _seed(url: str) -> tuple[str, str]:
    """Stations, one monitor and one partner API key; returns (monitor token, api key)."""
    conn = await asyncpg.connect(url)
    try:
        await store_registry(conn, REGISTRY)
        _, token = await add_monitor(conn, "Catalogue Monitor", None, ["ALA-0001", "ALA-0002"])
        key = generate_key()
        await insert_key(conn, key.id, hash_secret(key.secret), Role.PARTNER.value, "ops-test", False)
    finally:
        await conn.close()
    return token, key.token


def _report(station: str, ballots: int) -> dict[str, object]:
    return {
        "id": str(uuid.uuid4()),
        "station_id": station,
        "observed_at": datetime.now(UTC).isoformat(),
        "turnout": {"ballots_issued": ballots, "home_voting_applications": 3},
    }


def _work(services: dict[str, Service], token: str, key: str) -> None:
    """Reports through ingest (one opens an abnormal-turnout alert, one is rejected), GraphQL queries
    under many operation names, then waits until the aggregator has processed the reports."""
    ingest, api = services["ingest"].url, services["api"].url
    batch = {"reports": [_report("ALA-0001", 120), _report("ALA-0002", 760), _report("ALA-0001", -1)]}
    for _ in range(5):  # a resend is idempotent: what was written comes back as duplicate
        answer = httpx.post(f"{ingest}/v1/reports", json=batch, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code in (202, 503), answer.text
        if answer.status_code == 202:
            break
        time.sleep(2)
    body = answer.json()
    assert (body["accepted"] + body["duplicate"], body["rejected"]) == (2, 1), body
    for i in range(DISTINCT_OPERATIONS):
        body = {"query": f"query Probe{i} {{ regions {{ id }} }}", "operationName": f"Probe{i}"}
        reply = httpx.post(f"{api}/graphql", json=body, headers={"X-API-Key": key})
        assert reply.status_code == 200, reply.text
    _wait_for(services["aggregator"], 'pollwatch_aggregator_alerts_total{rule="abnormal_turnout"', 90)
    # The lag gauge is refreshed on a 5 s timer; give it a few rounds (the test says if it never shows).
    _wait_for(services["aggregator"], "pollwatch_aggregator_consumer_lag_messages{", 20, required=False)


def _wait_for(service: Service, text: str, seconds: float, required: bool = True) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in httpx.get(f"{service.url}/metrics").text:
            return
        time.sleep(1)
    assert not required, f"{service.name}: no {text} in /metrics after {seconds} s:\n{service.log_tail()}"


@dataclass
class Stack:
    shared: SharedSettings
    token: str  # a monitor's
    key: str  # a partner API key


@pytest.fixture(scope="module")
def stack(infra: Infra) -> Iterator[Stack]:
    """A topic namespace and a migrated, seeded database of this module's own."""
    namespace = f"t{uuid.uuid4().hex[:10]}"
    asyncio.run(ensure_topics(infra.kafka_bootstrap, namespace))
    database = asyncio.run(_database(infra))
    url = infra.database_url(database)
    try:
        apply_migrations(url)
        token, key = asyncio.run(_seed(url))
        shared = SharedSettings(
            kafka_bootstrap=infra.kafka_bootstrap, topic_namespace=namespace, database_url=SecretStr(url)
        )
        yield Stack(shared, token, key)
    finally:
        asyncio.run(_drop(infra, database))


@pytest.fixture(scope="module")
def scrape(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Scrape:
    with run_all(stack.shared, tmp_path_factory.mktemp("catalogue")) as services:
        for name, service in services.items():
            ready = service.wait_ready()
            assert ready.status_code == 200, f"{name}: {ready.text}\n{service.log_tail()}"
        _work(services, stack.token, stack.key)
        return Scrape(
            {
                name: list(text_string_to_metric_families(httpx.get(f"{s.url}/metrics").text))
                for name, s in services.items()
            }
        )


# --- every metric in use is exported -------------------------------------------------------------


def _used_params() -> list[object]:
    params: list[object] = []
    for name in sorted(set(USED) - SYNTHETIC):
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_MISSING[name])] if name in KNOWN_MISSING else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.mark.parametrize("name", _used_params())
def test_every_metric_the_dashboard_and_rules_use_is_exported(scrape: Scrape, name: str) -> None:
    assert name in scrape.exported(), f"{name} (used by {', '.join(USED[name])}) is exported by no service"


# --- the signals ops needs ------------------------------------------------------------------------

REQUIRED = [
    (
        "reports by channel, kind and outcome",
        "pollwatch_ingest_reports_total",
        {"channel", "kind", "outcome"},
        "",
    ),
    (
        "ingest latency by route and status",
        "pollwatch_ingest_request_duration_seconds",
        {"route", "status"},
        "",
    ),
    ("produce latency", "pollwatch_ingest_kafka_produce_duration_seconds", set(), ""),
    ("end-to-end latency", "pollwatch_aggregator_received_to_stats_seconds", set(), ""),
    ("aggregator throughput", "pollwatch_aggregator_events_processed_total", {"kind", "outcome"}, ""),
    ("consumer lag per partition", "pollwatch_aggregator_consumer_lag_messages", {"partition"}, ""),
    ("alerts by rule and severity", "pollwatch_aggregator_alerts_total", {"rule", "severity"}, ""),
    ("ingest dead letters", "pollwatch_ingest_dead_letters_total", set(), ""),
    ("aggregator dead letters", "pollwatch_aggregator_dead_letters_total", set(), ""),
    ("API operations by outcome", "pollwatch_api_requests_total", {"outcome"}, ""),
    ("active subscriptions", "pollwatch_api_subscriptions_active", set(), ""),
    ("hub overflow closes", "pollwatch_api_hub_overflow_closed_total", set(), ""),
    ("PostgreSQL pool in use", "pollwatch_db_pool_in_use_connections", set(), ""),
]


@pytest.mark.parametrize(
    ("metric", "labels"),
    [
        pytest.param(m, labels, id=what, marks=[pytest.mark.xfail(strict=True, reason=why)] if why else [])
        for what, m, labels, why in REQUIRED
    ],
)
def test_required_signal_is_exported_with_its_labels(scrape: Scrape, metric: str, labels: set[str]) -> None:
    family = scrape.family(metric)
    if labels:
        assert family.samples, f"{metric}: no samples after the work, labels cannot be checked"
        seen = {label for s in family.samples for label in s.labels}
        assert labels <= seen, f"{metric}: labels {sorted(seen)} lack {sorted(labels - seen)}"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_exports_process_cpu_and_memory(scrape: Scrape, service: str) -> None:
    names = {f.name for f in scrape.families[service]}
    assert {"process_cpu_seconds", "process_resident_memory_bytes"} <= names


# --- naming and cardinality -----------------------------------------------------------------------

_DURATION = re.compile(r"(duration|latency|elapsed|_time$|_ms$|millis|_minutes|_hours)")
_SIZE = re.compile(r"(size|memory|_kb$|_mb$|bytes)")
# Histograms of how many things (per batch, per request) name the things, in the plural.
_COUNT_UNITS = ("_ids", "_reports", "_messages", "_events", "_rows", "_stations", "_fields")


def _naming_problems(family: Metric) -> list[str]:
    if family.name.endswith("_created"):
        return []  # the client's creation-time gauge of a counter or histogram
    problems = []
    if not family.documentation.strip():
        problems.append(f"{family.name}: no help text")
    if family.type == "counter":
        bad = {s.name for s in family.samples if not s.name.endswith(("_total", "_created"))}
        problems += [f"{name}: counter sample without _total" for name in sorted(bad)]
    base = family.name.removesuffix("_total")
    if _DURATION.search(base) and not base.endswith("_seconds"):
        problems.append(f"{family.name}: a duration not in _seconds")
    if _SIZE.search(base) and not base.endswith("_bytes"):
        problems.append(f"{family.name}: a size not in _bytes")
    if family.type == "histogram" and not base.endswith(("_seconds", "_bytes", *_COUNT_UNITS)):
        problems.append(f"{family.name}: a histogram without a base unit")
    return problems


@pytest.mark.parametrize("service", SERVICES)
def test_metrics_have_help_and_base_unit_names(scrape: Scrape, service: str) -> None:
    problems = [p for f in scrape.families[service] for p in _naming_problems(f)]
    assert problems == []


def test_the_naming_check_bites() -> None:
    bad = Metric("pollwatch_batch_latency_ms", "", "histogram")
    assert len(_naming_problems(bad)) == 3
    counter = Metric("pollwatch_things", "Things.", "counter")
    counter.add_sample("pollwatch_things", {}, 1.0)
    assert _naming_problems(counter) == ["pollwatch_things: counter sample without _total"]


@pytest.mark.parametrize("service", SERVICES)
def test_no_identity_is_a_label(scrape: Scrape, service: str) -> None:
    found = {
        (f.name, label)
        for f in scrape.families[service]
        for s in f.samples
        for label in s.labels
        if label in FORBIDDEN_LABELS
    }
    assert found == set()


def _label_values(families: list[Metric]) -> dict[tuple[str, str], set[str]]:
    values: dict[tuple[str, str], set[str]] = {}
    for family in families:
        for sample in family.samples:
            for label, value in sample.labels.items():
                values.setdefault((family.name, label), set()).add(value)
    return values


@pytest.mark.parametrize(
    "service",
    ["ingest", "aggregator", "api"],
)
def test_label_values_stay_bounded_under_varied_clients(scrape: Scrape, service: str) -> None:
    """The work sent DISTINCT_OPERATIONS differently named GraphQL operations: no label may follow them."""
    wide = {
        key: len(values)
        for key, values in _label_values(scrape.families[service]).items()
        if len(values) >= MAX_LABEL_VALUES
    }
    assert wide == {}


def test_a_multi_worker_ingest_counts_every_request_in_every_scrape(stack: Stack, tmp_path: Path) -> None:
    """INGEST_WORKERS=2: each scrape must show all requests, not the share of the worker it reached
    (the workers share a prometheus multiprocess directory)."""
    port = free_port()
    env = service_env(stack.shared, INGEST_PORT=str(port), INGEST_WORKERS="2")
    with run_service("ingest", env, port, tmp_path) as ingest:
        assert ingest.wait_ready().status_code == 200, ingest.log_tail()
        requests = 40
        for _ in range(requests):
            with httpx.Client() as client:  # a new connection each time, so both workers serve some
                assert client.post(f"{ingest.url}/v1/reports", json={}).status_code == 401
        counts = set()
        for _ in range(10):
            with httpx.Client() as client:
                families = text_string_to_metric_families(client.get(f"{ingest.url}/metrics").text)
                durations = next(f for f in families if f.name == "pollwatch_ingest_request_duration_seconds")
                counts.add(sum(s.value for s in durations.samples if s.name.endswith("_count")))
    assert counts == {requests}
