"""The texts sent back to monitors, in their language: what was understood, or precisely
what is wrong. Every word comes from `sms_catalog`; this module only picks the texts and
fills in their parameters."""

from __future__ import annotations

from services.common.catalog import Lang
from services.common.contracts import events as ev
from services.ingest.sms_catalog import has, text
from services.ingest.sms_commands import SmsError
from services.ingest.sms_grammar import CHECKLIST_FORMS, PROTOCOL_REQUIRED

_PHASE_FORMS = {phase: form for form, phase in CHECKLIST_FORMS.items()}


def _ref(report: ev.Report) -> str:
    return report.id.removeprefix("sms-")[:6].upper()


def _form(body: ev.ReportBody) -> str:
    if isinstance(body, ev.TurnoutUpdate):
        return "T"
    if isinstance(body, ev.Incident):
        return "V"
    if isinstance(body, ev.Checklist):
        return _PHASE_FORMS[body.phase]
    return "P"


def _tag(lang: Lang, form: str, tag: str) -> str:
    """A tag letter as that language writes it (protocol's R is Р in Cyrillic)."""
    key = f"tag.{form}.{tag}"
    return text(lang, key) if has(lang, key) else tag


def summary(report: ev.Report, lang: Lang) -> str:
    """What ingest understood, in a monitor's words."""
    body, where = report.body, report.station_id
    if isinstance(body, ev.TurnoutUpdate):
        over = ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED in report.flags
        key = "summary.turnout_over" if over else "summary.turnout"
        return text(lang, key, station=where, ballots=body.ballots_issued, home=body.home_voting_applications)
    if isinstance(body, ev.Incident):
        kind = body.violation.value
        violation, code = text(lang, f"violation.{kind}"), text(lang, f"code.{kind}")
        return text(lang, "summary.incident", station=where, violation=violation, code=code)
    if isinstance(body, ev.Checklist):
        form = _PHASE_FORMS[body.phase]
        order = {item: i for i, item in enumerate(ev.CHECKLIST_ITEMS, 1)}
        no = [str(order.get(item, item)) for item, yes in body.answers.items() if not yes]
        return text(
            lang,
            "summary.checklist_no" if no else "summary.checklist",
            letter=text(lang, f"letter.{form}"),
            phase=text(lang, f"phase.{form}"),
            station=where,
            yes=len(body.answers) - len(no),
            no=len(no),
            items=",".join(no),
        )
    figures = (
        body.registered_voters,
        body.ballots_received,
        body.ballots_issued,
        body.ballots_cast,
        body.valid_ballots,
        body.invalid_ballots,
    )
    counts = " ".join(f"{_tag(lang, 'P', t)}{n}" for t, n in zip(PROTOCOL_REQUIRED, figures, strict=True))
    key = "summary.protocol" if body.copy_received else "summary.protocol_refused"
    return text(lang, key, station=where, counts=counts)


def accepted(report: ev.Report, lang: Lang) -> str:
    return text(lang, "reply.ok", summary=summary(report, lang), ref=_ref(report))


def duplicate(report: ev.Report, lang: Lang) -> str:
    """The same content was received before: naming it is enough."""
    form = text(lang, f"form.{_form(report.body)}")
    return text(lang, "reply.duplicate", form=form, station=report.station_id, ref=_ref(report))


def example(lang: Lang, form: str) -> str:
    return text(lang, f"example.{form}", sample=text(lang, f"sample.{form}"))


def reason(error: SmsError, lang: Lang) -> str:
    """Why a text was not saved, without the NOT SAVED prefix (also the dead letter's error)."""
    key = f"error.{error.code}"
    if error.code == "not_understood" and error.form == "P":
        key = "error.not_understood_protocol"
    params: dict[str, object] = {**error.params, "code": error.code}
    if not has(lang, key):
        key, params = "error.invalid", {"field": params.get("field", ""), "code": error.code}
    params["example"] = example(lang, error.form or "T")
    if "tag" in params:
        params["tag"] = _tag(lang, error.form, str(params["tag"]))
    if "tags" in params:
        params["tags"] = " ".join(_tag(lang, "P", t) for t in str(params["tags"]).split())
    if has(lang, f"field.{params.get('field')}"):
        params["field"] = text(lang, f"field.{params['field']}")
    params["codes"] = " ".join(text(lang, f"code.{v.value}") for v in ev.ViolationType)
    try:
        return text(lang, key, **params)
    except KeyError:  # a parameter this path does not give (tests render every path): still answer
        return text(lang, "error.invalid", field=params.get("field", ""), code=error.code)


def rejected(error: SmsError, lang: Lang) -> str:
    return text(lang, "reply.rejected", reason=reason(error, lang))


def unavailable(lang: Lang) -> str:
    return text(lang, "reply.unavailable")


def help_text(topic: str, lang: Lang) -> str:
    if topic in CHECKLIST_FORMS:
        return text(lang, "help.checklist", sample=text(lang, f"sample.{topic}"))
    if topic in ("T", "V", "P"):
        return text(lang, f"help.{topic}", sample=text(lang, f"sample.{topic}"))
    return text(lang, "help.overview", sample=text(lang, "sample.T"))
