"""The replay's read-model check: the figures read must carry the protocol sent."""

from __future__ import annotations

from typing import Any

from services.common.contracts import events as ev
from services.simulator.read_model import SentProtocol, mismatches

SENT = SentProtocol(
    "run-0-p", "R01:1", ev.FinalProtocol(1000, 1000, 640, 638, 630, 8, {"A": 400, "B": 230}, True)
)


def read(**changes: Any) -> dict[str, Any]:
    """`station_stats.protocol` as the aggregator writes it (a ProtocolSummary as JSON)."""
    row = {
        "registered_voters": 1000,
        "ballots_issued": 640,
        "ballots_cast": 638,
        "valid_ballots": 630,
        "invalid_ballots": 8,
        "votes": {"A": 400, "B": 230},
        "copy_received": True,
        "inconsistencies": [],
    }
    return row | changes


def test_figures_carrying_the_protocol_sent_match() -> None:
    assert mismatches([SENT], {"R01:1": read()}) == {}


def test_a_missing_or_different_protocol_is_named_with_its_field() -> None:
    missing = {"R01:1": "no protocol in station_stats"}
    assert mismatches([SENT], {}) == missing
    assert mismatches([SENT], {"R01:1": None}) == missing
    assert mismatches([SENT], {"R01:1": read(valid_ballots=629)}) == {
        "R01:1": "valid_ballots read 629, sent 630"
    }
    assert mismatches([SENT], {"R01:1": read(votes={"A": 400})}) == {
        "R01:1": "votes read {'A': 400}, sent {'A': 400, 'B': 230}"
    }
