"""Event-time window arithmetic over sorted (epoch seconds, value) points; pure and order-free.

Cumulative series are step-free: between two reports the value is interpolated linearly; before
the first report it is the first report's value (no invented rise), after the last the last's.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Sequence

Point = tuple[int, float]


def value_at(points: Sequence[Point], t: float) -> float:
    """The cumulative value at time t (points sorted by time, at most one per time)."""
    if not points:
        return 0.0
    if t <= points[0][0]:
        return points[0][1]
    if t >= points[-1][0]:
        return points[-1][1]
    i = bisect.bisect_right([p[0] for p in points], t)
    (t0, v0), (t1, v1) = points[i - 1], points[i]
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


def hop_end(now: float, step_s: float, grace_s: float) -> float:
    """End of the latest hop that is closed (its end plus the grace period lies at or before now)."""
    return ((now - grace_s) // step_s) * step_s


def rate_per_hour(points: Sequence[Point], end: float, window_s: float) -> float:
    """Rise of the series over [end - window, end], scaled to one hour."""
    if len(points) < 2:
        return 0.0
    return (value_at(points, end) - value_at(points, end - window_s)) * 3600.0 / window_s


def max_rise(points: Sequence[Point], now: float, window_s: float) -> tuple[float, int, int]:
    """The largest rise v_j - v_i between reported points with t_j - t_i <= window, t_j in
    (now - window, now]; returns (rise, i, j) or (0.0, -1, -1) when nothing rose.

    Ties go to the earliest j and, for it, the latest i. One pass with a monotonic deque of the
    window's minima, so a station reporting every minute costs O(points), not O(points^2)."""
    best = (0.0, -1, -1)
    lows: deque[int] = deque()  # indices before j within the window, values increasing
    for j, (tj, vj) in enumerate(points):
        if tj > now:
            break
        while lows and tj - points[lows[0]][0] > window_s:
            lows.popleft()
        if lows and now - window_s < tj:
            i = lows[0]
            if vj - points[i][1] > best[0]:
                best = (vj - points[i][1], i, j)
        while lows and points[lows[-1]][1] >= vj:
            lows.pop()
        lows.append(j)
    return best


def in_window(times: Sequence[int], now: float, window_s: float) -> list[int]:
    """Indices of times in (now - window, now]."""
    return [i for i, t in enumerate(times) if now - window_s < t <= now]
