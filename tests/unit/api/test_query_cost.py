"""The cost estimate: fields resolved, lists multiplied by their sizes, before anything runs."""

from __future__ import annotations

import time
from typing import Any

import pytest
from graphql import parse

from services.api.query_cost import operation_cost
from services.api.schema import build_schema
from services.common.checklist_config import load_checklists

SCHEMA = build_schema()._schema
QUESTIONS = len(load_checklists().questions)


def cost(document: str, variables: dict[str, Any] | None = None, operation: str | None = None) -> int:
    return operation_cost(SCHEMA, parse(document), operation, variables, 50, 200)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{ overview { openAlerts { total } } }", 3),
        # 1 (stations) + 1 (nodes) + 50 default page x (id 1 + stats 1 + turnoutPct 1)
        ("{ stations { nodes { id stats { turnoutPct } } } }", 1 + 1 + 50 * 3),
        ("{ stations(first: 200) { nodes { id } pageInfo { endCursor } } }", 1 + 1 + 200 + 2),
        # 20 incidents a station: 200 x (1 + 20 x 2)
        ("{ stations(first: 200) { nodes { incidents { violation observedAt } } } }", 2 + 200 * 41),
        ("{ regions { id stats { turnoutPct } } }", 1 + 30 * 3),
        # Every region's findings: 10 violation types, the checklists file's questions.
        (
            "{ findings { regions { violations { share } checklist { shareNo } } } }",
            1 + 1 + 30 * (1 + 10 + 1 + QUESTIONS),
        ),
        ('{ turnoutSeries(region: "R1", bucketMinutes: 60) { at } }', 1 + 24),
        ('{ turnoutSeries(region: "R1", bucketMinutes: 1) { at turnoutPct } }', 1 + 1440 * 2),
        ("{ alerts(first: 10) { nodes { reportIds actions { org } } } }", 2 + 10 * (1 + 1 + 10)),
        ("{ alerts(first: 10) { nodes { texts { key params } } } }", 2 + 10 * (1 + 5 * 2)),
        ("{ stations(first: 2) { nodes { ... on Station { id name } } } }", 2 + 2 * 2),
        ("subscription { stationUpdated { seq station { id stats { turnoutPct } } } }", 1 + 1 + 1 + 1 + 2),
        ("{ __typename __schema { types { fields { name } } } }", 0),  # the schema bounds it
        ("{ nosuch { a b c } overview { nosuch } }", 1 + 1 + 1),  # validation refuses these
    ],
)
def test_cost_counts_fields_and_multiplies_lists(document: str, expected: int) -> None:
    assert cost(document) == expected


def test_the_reported_slow_query_costs_far_more_than_a_dashboard_page() -> None:
    node = "id name stats { turnoutPct } incidents { violation observedAt } region { id name }"
    reported = (
        "{ " + " ".join(f"a{i}: stations(first: 200) {{ nodes {{ {node} }} }}" for i in range(15)) + " }"
    )
    page = (
        "{ stations(first: 50) { nodes { id stats { turnoutPct lastReportAt } } pageInfo { hasNextPage } } }"
    )
    assert cost(reported) == 15 * (2 + 200 * (1 + 1 + 2 + 41 + 3))
    assert cost(page) == 2 + 50 * 4 + 2


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"n": 10}, 2 + 10),
        ({}, 2 + 50),  # not given: the default page
        ({"n": None}, 2 + 50),
        ({"n": 201}, 2 + 200),  # refused by the resolver later: costed as the largest page
        ({"n": -5}, 2 + 200),
        ({"n": "many"}, 2 + 200),
        ({"n": True}, 2 + 200),
    ],
)
def test_page_sizes_come_from_variables(variables: dict[str, Any], expected: int) -> None:
    assert cost("query($n: Int) { stations(first: $n) { nodes { id } } }", variables) == expected


def test_fragments_are_costed_where_spread_cycles_are_cut_and_repeats_are_cheap_to_cost() -> None:
    fragment = "fragment F on Station { id name }"
    assert cost(f"{{ stations(first: 3) {{ nodes {{ ...F ...F }} }} }} {fragment}") == 2 + 3 * 4
    assert cost("{ stations(first: 3) { nodes { ...A } } } fragment A on Station { id ...A }") == 2 + 3
    levels = " ".join(f"fragment F{i} on Station {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    bomb = f"{{ stations(first: 1) {{ nodes {{ ...F0 }} }} }} {levels} fragment F40 on Station {{ id }}"
    started = time.perf_counter()
    assert cost(bomb) == 2 + 2**40
    assert time.perf_counter() - started < 1.0  # each fragment costed once per page size


def test_the_operation_asked_for_is_the_one_costed() -> None:
    two = "query A { overview { openAlerts { total } } } query B { regions { id } }"
    assert cost(two, operation="A") == 3
    assert cost(two, operation="B") == 1 + 30
    assert cost(two) == 0  # ambiguous: strawberry refuses it before anything runs
    assert cost(two, operation="C") == 0
