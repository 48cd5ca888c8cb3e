"""The quick turnout path agrees with full validation: it accepts only what full validation
accepts, as the same event, and hands everything else over (None)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.contracts import events as ev
from services.common.infra.settings import ReportingWindow
from services.ingest.quick_validation import quick_turnout
from services.ingest.validation import Context, validate_report

NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
# ALA-0999 is registered but not the monitor's; XYZ-1 is the monitor's but not registered.
CTX = Context(
    "mon-1",
    frozenset({"ALA-0123", "XYZ-1"}),
    {"ALA-0123": 1000, "ALA-0999": 500},
    NOW,
    window=ReportingWindow(datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 3, 1, 4, 1, tzinfo=UTC)),
)

odd_values = (
    st.none() | st.booleans() | st.floats() | st.text(max_size=8) | st.lists(st.integers(), max_size=2)
)
boundaries = st.sampled_from([0, 1000, 1001, 1_000_000, 1_000_001])
counts = st.integers(min_value=-2, max_value=1_000_002) | boundaries
ids = st.sampled_from(["r-1", "0b8e6c1e-7f0e-4c36-9d3c-2f1f3f9a6b10", "", "a b", "x" * 128, "x" * 129])
times = st.sampled_from(
    [
        "2026-03-01T10:00:00+06:00",
        "2026-03-01T04:00:00Z",
        "2026-03-01T04:04:59+00:00",
        "2026-03-01T04:05:01+00:00",
        "2026-03-01T10:00:00",
        "1999-12-31T23:00:00+00:00",
        "2001-03-01T10:00:00+06:00",
        "2026-02-27T23:59:59+00:00",
        "2026-03-01T04:01:01+00:00",
        "2026-03-01 10:00+06:00",
        "yesterday",
    ]
)
turnout_bodies = st.fixed_dictionaries(
    {"ballots_issued": counts},
    optional={"home_voting_applications": counts | st.none(), "extra": st.integers()},
)
# Mostly well-formed reports, each field drawn from valid values and near misses, so that a
# single wrong field is common; and the same with odd JSON values in any field.
near_valid = st.fixed_dictionaries(
    {
        "id": ids,
        "station_id": st.sampled_from(["ALA-0123", "ALA-0999", "XYZ-1", "nope"]),
        "observed_at": times,
        "turnout": turnout_bodies,
    },
    optional={
        "incident": st.none() | st.just({"violation": "other"}),
        "checklist": st.none() | st.just({"phase": "opening", "answers": {"station_ready": True}}),
        "comment": st.just("x"),
    },
)
odd = st.fixed_dictionaries(
    {},
    optional={
        "id": ids | odd_values,
        "station_id": st.just("ALA-0123") | odd_values,
        "observed_at": times | odd_values,
        "turnout": turnout_bodies | st.dictionaries(st.just("ballots_issued"), odd_values) | odd_values,
        "protocol": st.none() | st.just({}),
    },
)
reports = near_valid | odd


@settings(max_examples=1500)
@given(reports)
def test_quick_accepts_only_what_validation_accepts_and_as_the_same_event(raw: dict[str, Any]) -> None:
    quick = quick_turnout(raw, CTX)
    if quick is not None:
        assert validate_report(raw, CTX) == quick


@given(
    st.integers(min_value=0, max_value=1_000_000),
    st.none() | st.integers(min_value=0, max_value=1_000_000),
    st.sampled_from(["ALA-0123"]),
)
def test_well_formed_turnout_takes_the_quick_path(ballots: int, home: int | None, station: str) -> None:
    raw: dict[str, Any] = {
        "id": "r-1",
        "station_id": station,
        "observed_at": "2026-03-01T10:00:00+06:00",
        "turnout": {"ballots_issued": ballots},
        "incident": None,
    }
    if home is not None:
        raw["turnout"]["home_voting_applications"] = home
    quick = quick_turnout(raw, CTX)
    assert quick is not None
    assert quick == validate_report(raw, CTX)
    assert quick.body == ev.TurnoutUpdate(ballots, home or 0)
    assert (ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED in quick.flags) == (ballots > 1000)


def test_other_bodies_and_doubtful_fields_go_to_full_validation() -> None:
    base = {"id": "r-1", "station_id": "ALA-0123", "observed_at": "2026-03-01T10:00:00+06:00"}
    assert quick_turnout(base | {"incident": {"violation": "other"}}, CTX) is None
    assert quick_turnout(base | {"turnout": {"ballots_issued": 5.0}}, CTX) is None  # accepted, slowly
    assert isinstance(validate_report(base | {"turnout": {"ballots_issued": 5.0}}, CTX), ev.Report)
    assert quick_turnout(base | {"turnout": {"ballots_issued": -1}}, CTX) is None
    assert quick_turnout([base], CTX) is None
