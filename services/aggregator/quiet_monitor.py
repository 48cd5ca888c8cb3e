"""faust's Monitor sensor without its per-record bookkeeping.

faust calls its Monitor four times per record (message in/out, stream event in/out) to keep
counters and timings for its own web views, which pollwatch does not serve: its metrics are
services/aggregator/metrics.py. At thousands of records a second those calls were ~3% of the
worker. The rest of the Monitor (commits, assignments, table and send hooks) is kept.
"""

from __future__ import annotations

from typing import Any

from faust.sensors import Monitor


class QuietMonitor(Monitor):
    def on_message_in(self, tp: Any, offset: int, message: Any) -> None:
        pass

    def on_stream_event_in(self, tp: Any, offset: int, stream: Any, event: Any) -> dict[str, Any] | None:
        return None

    def on_stream_event_out(
        self, tp: Any, offset: int, stream: Any, event: Any, state: dict[str, Any] | None = None
    ) -> None:
        pass

    def on_message_out(self, tp: Any, offset: int, message: Any) -> None:
        pass

    def track_tp_end_offset(self, tp: Any, offset: int) -> None:
        pass
