"""The region integer-excess alert: opens, updates on whole z steps, resolves, survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from services.aggregator.forensics_alert import ExcessAlerts
from services.aggregator.forensics_sink import fingerprint, summary
from services.common.contracts.events import AlertState, AlertText, AlertTransition, Severity
from services.forensics.live_figures import IntegerTest, ScopeFigures

T0 = datetime(2026, 3, 1, 20, tzinfo=UTC)


def scope(
    region: str, tested: int, observed: int, expected: float = 100.0, var: float = 90.0
) -> ScopeFigures:
    test = IntegerTest(observed, expected, var, var * 0.8)
    return ScopeFigures(
        region, tested, tested, 60.0, 50.0, test, test, test, np.zeros((4, 4), dtype=np.int64)
    )


def test_opens_at_z_4_with_enough_stations_updates_on_whole_steps_and_resolves() -> None:
    book = ExcessAlerts(min_stations=200)
    sd = 90.0**0.5
    assert book.step(scope("R1", 199, round(100 + 10 * sd)), T0) is None  # too few stations
    assert book.step(scope("R1", 1000, round(100 + 3.9 * sd)), T0) is None
    opened = book.step(scope("R1", 1000, 140), T0 + timedelta(seconds=5))  # z = 4.22
    assert opened is not None
    assert (opened.id, opened.rule, opened.station_id, opened.region_id) == (
        "integer_excess:R1", "integer_excess", "", "R1"
    )  # fmt: skip
    assert (opened.severity, opened.state, opened.transition, opened.version) == (
        Severity.WARNING, AlertState.OPEN, AlertTransition.OPENED, 1
    )  # fmt: skip
    assert opened.value == 4.22
    assert opened.threshold == 4.0
    assert opened.texts == (
        AlertText(
            "integer_excess", {"observed": 140, "tested": 1000, "expected": 100.0, "excess": 40, "z": 4.22}
        ),
    )
    assert opened.message.startswith("140 of 1,000 protocols show a whole-number turnout or leader share")
    assert book.step(scope("R1", 1010, 141), T0 + timedelta(seconds=10)) is None  # z 4.32: same step
    updated = book.step(scope("R1", 1100, 150), T0 + timedelta(seconds=15))  # z 5.27
    assert updated is not None
    assert updated.transition is AlertTransition.UPDATED
    assert updated.version == 2
    resolved = book.step(scope("R1", 1100, 120), T0 + timedelta(seconds=20))  # z 2.1
    assert resolved is not None
    assert (resolved.state, resolved.version, resolved.id) == (AlertState.RESOLVED, 3, "integer_excess:R1")
    assert resolved.resolved_at == T0 + timedelta(seconds=20)
    again = book.step(scope("R1", 1200, 160), T0 + timedelta(seconds=25))
    assert again is not None
    assert again.id == "integer_excess:R1:2"


def test_the_nation_and_clean_regions_never_alert() -> None:
    book = ExcessAlerts()
    assert book.step(scope("", 10_000, 1000), T0) is None
    assert book.step(scope("R2", 10_000, 100), T0) is None
    assert book.open == {}


def test_state_survives_encode_and_restore() -> None:
    book = ExcessAlerts()
    opened = book.step(scope("R1", 1000, 150), T0)
    restored = ExcessAlerts()
    restored.restore("R1", book.encode("R1"))
    assert restored.open == {"R1": opened}
    resolved = restored.step(scope("R1", 1000, 100), T0 + timedelta(seconds=5))
    assert resolved is not None
    assert resolved.version == 2
    book.step(scope("R1", 1000, 100), T0 + timedelta(seconds=5))
    fresh = ExcessAlerts()
    fresh.restore("R1", book.encode("R1"))
    assert fresh.open == {}
    assert fresh.occurrences == {"R1": 1}


def test_stored_json_shapes() -> None:
    s = scope("R1", 1000, 150)
    body = summary(s, "A", 4.0, 200)
    assert body["integer"]["either"]["observed"] == 150
    assert body["integer"]["either"]["z"] == round(50 / 90**0.5, 3)
    assert body["significant"] is True
    assert body["leader"] == "A"
    assert 0 < body["integer"]["either"]["p_value"] < 1e-4
    heat = fingerprint(s)
    assert heat["bins"] == 4
    assert heat["counts"] == [[0] * 4] * 4
