"""A station's state recomputed from the reports that count, after a coordinator's decision
moved one of them in or out of the figures (rejected and quarantined reports count for nothing).

Pure: the reports are handed in (the aggregator reads them from PostgreSQL). What the new state
keeps of the old one:
* every report id it had seen, so a report left out is a duplicate if Kafka delivers it again
  (a replayed batch) and never re-enters by that path;
* its event clock (`last_at`): a station's time never goes back, so its figures keep their
  `updated_at` and every guarded write (PostgreSQL, the region book) takes them;
* its alert book: the rules are evaluated on the new state and the book steps from where it was.
"""

from __future__ import annotations

from collections.abc import Iterable

from services.aggregator.domain.station_state import StationState
from services.common.contracts import events as ev


def recompute(previous: StationState, counting: Iterable[ev.Report], dedup_s: float) -> StationState:
    """The state of `previous.station_id` built from `counting` alone (in the order given:
    the order they were applied in), keeping the old state's seen ids, clock and alert book."""
    state = StationState(previous.station_id, alerts=previous.alerts)
    for report in counting:
        if report.station_id == state.station_id:
            state.apply(report, dedup_s)
    if previous.last_at is not None and (state.last_at is None or state.last_at < previous.last_at):
        state.last_at = previous.last_at
    horizon = (state.last_at or 0) - dedup_s
    for report_id, at in previous.seen.items():
        if at >= horizon:
            state.seen.setdefault(report_id, at)
    state._oldest = None  # derived from `seen`, which grew
    return state
