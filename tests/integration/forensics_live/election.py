"""A synthetic election, one clean region and one rigged: its registry, its final protocols as
monitors report them, and the station figures the aggregator derives from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.common.contracts import events as ev
from services.common.registry.stations import Region, Registry, Station
from services.forensics.protocols import Protocols
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


def registry(p: Protocols) -> Registry:
    """The stations of the election, registered with their protocols' register sizes."""
    return Registry(
        regions=tuple(Region(name, name) for name in p.region_names),
        stations=tuple(
            Station(sid, p.region_names[int(p.region[i])], sid, int(p.registered[i]))
            for i, sid in enumerate(p.station_ids)
        ),
    )


def protocol_reports(p: Protocols, minute: int = 0) -> list[ev.Report]:
    """Each station's final protocol as its monitor reports it (a new report id per minute)."""
    at = CLOSED + timedelta(minutes=minute)
    out = []
    for s in station_stats(p, minute):
        summary = s.protocol
        assert summary is not None
        body = ev.FinalProtocol(
            registered_voters=summary.registered_voters, ballots_received=summary.ballots_issued,
            ballots_issued=summary.ballots_issued, ballots_cast=summary.ballots_cast,
            valid_ballots=summary.valid_ballots, invalid_ballots=summary.invalid_ballots,
            votes=summary.votes, copy_received=True,
        )  # fmt: skip
        out.append(
            ev.Report(
                id=f"{s.station_id}-protocol-{minute}", station_id=s.station_id, monitor_id="forensics",
                channel=ev.Channel.HTTP, observed_at=at, received_at=at, body=body,
            )
        )  # fmt: skip
    return out
