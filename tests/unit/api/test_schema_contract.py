"""The committed SDL is current, and has no breaking change against the released one."""

from __future__ import annotations

import re

from graphql import build_schema as build_sdl
from graphql import find_breaking_changes

from services.api.export_schema import RELEASED_FILE, SCHEMA_FILE, current_sdl
from services.api.schema import build_schema


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == current_sdl(), (
        "services/api/schema.graphql is stale: run python -m services.api.export_schema"
    )


def test_no_breaking_changes_against_released_schema() -> None:
    released = build_sdl(RELEASED_FILE.read_text(encoding="utf-8"))
    current = build_sdl(current_sdl())
    changes = find_breaking_changes(released, current)
    assert changes == [], "breaking changes (deprecate instead of removing): " + "; ".join(
        f"{c.type.name}: {c.description}" for c in changes
    )


def test_breaking_change_detection_can_fail() -> None:
    released = build_sdl(current_sdl())
    # The field and its description line.
    without = build_sdl(re.sub(r'(  """[^\n]*"""\n)?  stationsTotal: Int!\n', "", current_sdl()))
    assert [c.description for c in find_breaking_changes(released, without)] == [
        "Field RegionFindings.stationsTotal was removed.",
        "Field RegionStats.stationsTotal was removed.",
    ]


def test_query_limits_are_installed() -> None:
    schema = build_schema()
    names = {type(e()).__name__ if callable(e) else type(e).__name__ for e in schema.extensions}
    assert {
        "MaxTokensLimiter",
        "MaxAliasesLimiter",
        "QueryDepthLimiter",
        "QueryCostLimit",
        "ArgumentTextCheck",
    } <= names
