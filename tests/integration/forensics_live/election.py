"""A synthetic election as the station-stats topic carries it: one clean region, one rigged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.common import events as ev
from services.common.forensics.protocols import Protocols
from tests.unit.forensics.synthetic import clean_election, rig_integer_turnout

CLOSED = datetime(2026, 3, 1, 20, tzinfo=UTC)
CLEAN, RIGGED = "RC", "RF"


def elections(stations: int = 1200) -> tuple[Protocols, Protocols]:
    """(clean, rigged): the same stations; in the rigged one 40 % of region RF's turnout was
    rewritten to a whole percentage."""
    clean = clean_election(seed=21, stations=stations, regions=2)
    clean = _renamed(clean)
    rigged, landed = rig_integer_turnout(clean, seed=22, fraction=0.4, regions=(1,))
    assert landed > 150
    return clean, rigged


def _renamed(p: Protocols) -> Protocols:
    from dataclasses import replace

    return replace(p, region_names=(CLEAN, RIGGED))


def station_stats(p: Protocols, minute: int = 0) -> list[ev.StationStats]:
    """Each station's figures once its final protocol arrived."""
    assert p.candidate_votes is not None
    at = CLOSED + timedelta(minutes=minute)
    out = []
    for i, sid in enumerate(p.station_ids):
        registered, issued = int(p.registered[i]), int(p.issued[i])
        valid, invalid = int(p.valid[i]), int(p.invalid[i])
        votes = {n: int(v) for n, v in zip(p.candidate_names, p.candidate_votes[i], strict=True)}
        out.append(
            ev.StationStats(
                station_id=sid, region_id=p.region_names[int(p.region[i])], registered_voters=registered,
                ballots_issued=issued, turnout_pct=round(100 * issued / registered, 4),
                turnout_rate_pp_per_hour=0.0, home_voting_applications=0, home_voting_pct=0.0,
                incidents_total={}, incidents_recent={}, last_report_at=at, open_alerts=0,
                protocol=ev.ProtocolSummary(
                    registered_voters=registered, ballots_issued=issued, ballots_cast=valid + invalid,
                    valid_ballots=valid, invalid_ballots=invalid, votes=votes, copy_received=True,
                ),
                reports_processed=1, updated_at=at,
            )
        )  # fmt: skip
    return out
