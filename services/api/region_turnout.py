"""Region turnout over time from per-station cumulative counts (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def region_turnout(
    rows: Iterable[tuple[str, datetime, int]], registered_voters: int
) -> list[tuple[datetime, int, float]]:
    """(bucket, ballots, turnout %) per bucket from (station, bucket, cumulative ballots) rows.

    Counts are cumulative, so a station's last known count carries forward into buckets where
    it did not report, and a lower late count never takes ballots away.
    """
    by_bucket: dict[datetime, list[tuple[str, int]]] = {}
    for station, bucket, ballots in rows:
        by_bucket.setdefault(bucket, []).append((station, ballots))
    last: dict[str, int] = {}
    total = 0
    points: list[tuple[datetime, int, float]] = []
    for bucket in sorted(by_bucket):
        for station, ballots in by_bucket[bucket]:
            previous = last.get(station, 0)
            if ballots > previous:
                total += ballots - previous
                last[station] = ballots
        pct = 100.0 * total / registered_voters if registered_voters else 0.0
        points.append((bucket, total, round(pct, 4)))
    return points
