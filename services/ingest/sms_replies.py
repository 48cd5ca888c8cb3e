"""The texts sent back to monitors: what was understood, or precisely what is wrong."""

from __future__ import annotations

from services.common import events as ev
from services.ingest.sms_grammar import EXAMPLES, FORMS_HINT, VIOLATION_CODES, SmsError

_PHASES = {
    ev.ChecklistPhase.READINESS: "readiness",
    ev.ChecklistPhase.OPENING: "opening",
    ev.ChecklistPhase.CLOSING: "closing",
}


def _ref(report: ev.Report) -> str:
    return report.id.removeprefix("sms-")[:6].upper()


def summary(report: ev.Report) -> str:
    """What ingest understood, in a monitor's words."""
    body = report.body
    where = report.station_id
    if isinstance(body, ev.TurnoutUpdate):
        home = body.home_voting_applications
        text = f"T {where}: {body.ballots_issued} ballots issued, {home} home-voting applications"
        if ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED in report.flags:
            text += " (more than registered voters: noted)"
        return text
    if isinstance(body, ev.Incident):
        code = next(c for c, v in VIOLATION_CODES.items() if v == body.violation)
        return f"V {where}: {body.violation.value.replace('_', ' ')} ({code})"
    if isinstance(body, ev.Checklist):
        no = [k.replace("_", " ") for k, v in body.answers.items() if not v]
        yes = len(body.answers) - len(no)
        tail = f"; NO: {', '.join(no)}" if no else ""
        return f"{body.phase.value[0].upper()} {where} {_PHASES[body.phase]}: {yes} yes, {len(no)} no{tail}"
    votes = " ".join(f"{k}={v}" for k, v in body.votes.items())
    copy = "copy received" if body.copy_received else "copy REFUSED"
    return (
        f"P {where}: R{body.registered_voters} B{body.ballots_received} G{body.ballots_issued} "
        f"C{body.ballots_cast} V{body.valid_ballots} X{body.invalid_ballots} {votes}, {copy}"
    )


def accepted(report: ev.Report) -> str:
    return f"OK {summary(report)}. Ref {_ref(report)}"


def duplicate(report: ev.Report) -> str:
    return f"Already received, no need to resend: {summary(report)}. Ref {_ref(report)}"


def rejected(error: SmsError) -> str:
    return f"NOT SAVED. {error.message}"


def unknown_sender() -> str:
    return "NOT SAVED. This phone is not registered for monitoring. Call your coordinator."


def unavailable() -> str:
    return "NOT SAVED: server busy. Please send the same SMS again in a few minutes."


def help_text(topic: str) -> str:
    if topic[:1] in EXAMPLES:
        form = topic[:1]
        extra = f" Codes: {' '.join(VIOLATION_CODES)}." if form == "V" else ""
        return f"Example: {EXAMPLES[form]}.{extra}"
    return (
        f"Forms: {FORMS_HINT}. E.g. {EXAMPLES['T']} | {EXAMPLES['V']}. Send HELP T, HELP V, HELP P for more."
    )
