"""Event-time window arithmetic over a sorted series, given as parallel sequences of times
(epoch seconds, at most one value per time) and values; pure and order-free.

Parallel sequences, not (time, value) pairs: the station state keeps them so, and the rules run
after every report, so building pairs per call was a large share of the aggregator's time.

Cumulative series are step-free: between two reports the value is interpolated linearly; before
the first report it is the first report's value (no invented rise), after the last the last's.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Sequence


def value_at(times: Sequence[int], values: Sequence[float], t: float) -> float:
    """The cumulative value at time t."""
    if not times:
        return 0.0
    if t <= times[0]:
        return float(values[0])
    if t >= times[-1]:
        return float(values[-1])
    i = bisect.bisect_right(times, t)
    t0, t1, v0, v1 = times[i - 1], times[i], values[i - 1], values[i]
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


def hop_end(now: float, step_s: float, grace_s: float) -> float:
    """End of the latest hop that is closed (its end plus the grace period lies at or before now)."""
    return ((now - grace_s) // step_s) * step_s


def rate_per_hour(times: Sequence[int], values: Sequence[float], end: float, window_s: float) -> float:
    """Rise of the series over [end - window, end], scaled to one hour."""
    if len(times) < 2:
        return 0.0
    return (value_at(times, values, end) - value_at(times, values, end - window_s)) * 3600.0 / window_s


def max_rise(
    times: Sequence[int], values: Sequence[float], now: float, window_s: float, start: int = 0
) -> tuple[float, int, int]:
    """The largest rise v_j - v_i between points from index `start` on with t_j - t_i <= window,
    t_j in (now - window, now]; returns (rise, i, j) or (0.0, -1, -1) when nothing rose.

    Ties go to the earliest j and, for it, the latest i. One pass with a monotonic deque of the
    window's minima, so a station reporting every minute costs O(points), not O(points^2)."""
    best, best_i, best_j = 0.0, -1, -1
    lows: deque[int] = deque()  # indices before j within the window, values increasing
    opens = now - window_s
    for j in range(start, len(times)):
        tj = times[j]
        if tj > now:
            break
        vj = values[j]
        while lows and tj - times[lows[0]] > window_s:
            lows.popleft()
        if lows and opens < tj:
            i = lows[0]
            rise = vj - values[i]
            if rise > best:
                best, best_i, best_j = rise, i, j
        while lows and values[lows[-1]] >= vj:
            lows.pop()
        lows.append(j)
    return float(best), best_i, best_j


def in_window(times: Sequence[int], now: float, window_s: float) -> list[int]:
    """Indices of times in (now - window, now]."""
    return [i for i, t in enumerate(times) if now - window_s < t <= now]
