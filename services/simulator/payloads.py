"""Planned reports as monitors' phones send them: ingest's JSON, or a coded SMS."""

from __future__ import annotations

from typing import Any

from services.common.contracts import events as ev
from services.simulator.scenario import PlannedReport


def report_json(report: PlannedReport) -> dict[str, Any]:
    """The JSON body of one report for POST /v1/reports (see docs/ingest.md)."""
    body = report.body
    payload: dict[str, Any] = {
        "id": report.report_id,
        "station_id": report.station_id,
        "observed_at": report.observed_at.isoformat(),
    }
    if isinstance(body, ev.TurnoutUpdate):
        payload["turnout"] = {
            "ballots_issued": body.ballots_issued,
            "home_voting_applications": body.home_voting_applications,
        }
    elif isinstance(body, ev.Checklist):
        payload["checklist"] = {"phase": body.phase.value, "answers": dict(body.answers), "note": body.note}
    elif isinstance(body, ev.Incident):
        payload["incident"] = {
            "violation": body.violation.value,
            "description": body.description,
            "evidence_urls": list(body.evidence_urls),
        }
    else:
        payload["protocol"] = {
            "registered_voters": body.registered_voters,
            "ballots_received": body.ballots_received,
            "ballots_issued": body.ballots_issued,
            "ballots_cast": body.ballots_cast,
            "valid_ballots": body.valid_ballots,
            "invalid_ballots": body.invalid_ballots,
            "votes": dict(body.votes),
            "copy_received": body.copy_received,
            "home_ballots_issued": body.home_ballots_issued,
        }
    return payload


def turnout_sms(report: PlannedReport) -> str:
    """A turnout update typed on a basic phone (docs/sms.md), e.g. `T ALA-0042 450 H12`."""
    body = report.body
    if not isinstance(body, ev.TurnoutUpdate):
        raise ValueError("only turnout updates are sent by SMS")
    return f"T {report.station_id} {body.ballots_issued} H{body.home_voting_applications}"
