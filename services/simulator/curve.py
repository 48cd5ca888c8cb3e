"""How turnout accumulates through election day.

The shape (cumulative share of the day's final turnout at each hour after opening) follows the
intraday turnout the Russian and Kazakh election commissions publish: a slow first hour, a
late-morning peak, a lunch lull and an after-work rise.
"""

from __future__ import annotations

from bisect import bisect_right

# Hours after opening (07:00) -> share of the final turnout reached by then; polls close at 13 h.
_HOURS = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0)
_SHARE = (0.0, 0.05, 0.14, 0.25, 0.36, 0.45, 0.53, 0.60, 0.67, 0.74, 0.81, 0.89, 0.96, 1.0)
POLLS_OPEN_HOURS = _HOURS[-1]


def cumulative_share(hours_after_opening: float) -> float:
    """Share (0..1) of the final turnout cast by then; linear between the hourly points."""
    if hours_after_opening <= 0:
        return 0.0
    if hours_after_opening >= POLLS_OPEN_HOURS:
        return 1.0
    i = bisect_right(_HOURS, hours_after_opening) - 1
    span = (hours_after_opening - _HOURS[i]) / (_HOURS[i + 1] - _HOURS[i])
    return _SHARE[i] + span * (_SHARE[i + 1] - _SHARE[i])
