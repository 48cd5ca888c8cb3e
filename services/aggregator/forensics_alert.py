"""The region-level integer-excess alert: a small, pure state machine over live figures.

A region fires when the forensics core's region screen flags it (`region_screen.screen`:
at least `min_stations` of its protocols in the integer test and an integer-percentage
excess `threshold` null s.d. above chance, the rule `pollwatch forensics` applies too); it
resolves when the excess drops below. The alert's subject is
the region (station_id ''); its first id is "integer_excess:<region>", a reopening after a
resolution gets the usual occurrence suffix (":2"), like every other pollwatch alert.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from services.common import catalog
from services.common.contracts import codec
from services.common.contracts.events import Alert, AlertState, AlertText, AlertTransition, Severity
from services.forensics.live_figures import ScopeFigures
from services.forensics.region_screen import MIN_TESTED, Z_THRESHOLD, ScreenStatus

RULE = "integer_excess"


def alert_id(region: str, occurrence: int) -> str:
    base = f"{RULE}:{region}"
    return base if occurrence <= 1 else f"{base}:{occurrence}"


def texts(scope: ScopeFigures) -> tuple[AlertText, ...]:
    test = scope.either
    figures = {
        "observed": test.observed, "tested": scope.tested, "expected": round(test.expected, 1),
        "excess": round(test.excess), "z": round(test.z, 2),
    }  # fmt: skip
    return (AlertText(RULE, figures),)


def message(scope: ScopeFigures) -> str:
    return catalog.message(texts(scope), catalog.Lang.EN)


@dataclass(slots=True)
class ExcessAlerts:
    """Open integer-excess alerts and occurrence counts, by region."""

    min_stations: int = MIN_TESTED
    threshold: float = Z_THRESHOLD
    open: dict[str, Alert] = field(default_factory=dict)
    occurrences: dict[str, int] = field(default_factory=dict)

    def firing(self, scope: ScopeFigures) -> bool:
        return scope.status(self.threshold, self.min_stations) is ScreenStatus.FLAGGED

    def step(self, scope: ScopeFigures, now: datetime) -> Alert | None:
        """The transition this region's new figures cause, if any (the nation is never alerted).

        An open alert is updated when its z crosses a whole number, so the stored value
        follows the count without a transition per protocol."""
        region = scope.region
        if not region:
            return None
        current = self.open.get(region)
        fires = self.firing(scope)
        z = round(scope.either.z, 2)
        if current is None and fires:
            n = self.occurrences.get(region, 0) + 1
            self.occurrences[region] = n
            alert = Alert(
                id=alert_id(region, n), rule=RULE, severity=Severity.WARNING, state=AlertState.OPEN,
                transition=AlertTransition.OPENED, station_id="", region_id=region, value=z,
                threshold=self.threshold, message=message(scope), report_ids=(), opened_at=now,
                updated_at=now, version=1, texts=texts(scope),
            )  # fmt: skip
            self.open[region] = alert
            return alert
        if current is not None and not fires:
            del self.open[region]
            return replace(
                current, state=AlertState.RESOLVED, transition=AlertTransition.RESOLVED, value=z,
                message=catalog.cleared(message(scope), catalog.Lang.EN), texts=texts(scope),
                updated_at=max(now, current.updated_at),
                resolved_at=max(now, current.updated_at), version=current.version + 1,
            )  # fmt: skip
        if current is not None and math.floor(z) != math.floor(current.value):
            alert = replace(
                current, transition=AlertTransition.UPDATED, value=z, message=message(scope),
                texts=texts(scope), updated_at=max(now, current.updated_at), version=current.version + 1,
            )  # fmt: skip
            self.open[region] = alert
            return alert
        return None

    def encode(self, region: str) -> bytes:
        """One region's entry, for the agent's changelogged table."""
        current = self.open.get(region)
        entry: dict[str, Any] = {
            "n": self.occurrences.get(region, 0),
            "a": None if current is None else codec.encode_alert(current).hex(),
        }
        return orjson.dumps(entry)

    def restore(self, region: str, raw: bytes) -> None:
        """Takes back an entry written by `encode`."""
        entry = orjson.loads(raw)
        self.occurrences[region] = int(entry["n"])
        if entry["a"] is None:
            self.open.pop(region, None)
        else:
            self.open[region] = codec.decode_alert(bytes.fromhex(entry["a"]))
