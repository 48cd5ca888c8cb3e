"""Every SMS reply exists in English, Russian and Kazakh and fits its budget of SMS segments,
with the longest values it can realistically quote filled in (docs/sms.md, "Replies")."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.common.catalog import Lang
from services.common.contracts import events as ev
from services.common.infra.settings import ReportingWindow
from services.ingest import sms_replies
from services.ingest.sms_catalog import LANGS, TEXTS
from services.ingest.sms_commands import SmsError, SmsHelp
from services.ingest.sms_grammar import QUOTED, parse_sms
from services.ingest.sms_reports import sms_report
from services.ingest.validation import Context
from tests.support.sms_segments import is_gsm, segments

T0 = datetime(2026, 3, 1, 6, tzinfo=UTC)
ITEMS = ev.CHECKLIST_ITEMS
# Where each error can occur (its example is that form's); "" for errors of no form.
ERROR_FORMS = {
    "too_long": "",
    "empty": "",
    "unknown_form": "",
    "no_station": "TVROCP",
    "bad_station": "TVROCP",
    "not_understood": "TP",
    "not_understood_protocol": "P",
    "repeated": "TP",
    "extra_number": "T",
    "no_ballots": "T",
    "no_violation": "V",
    "unknown_violation": "V",
    "no_answers": "ROC",
    "bad_number": "P",
    "bad_party": "P",
    "missing": "P",
    "no_votes": "P",
    "no_copy": "P",
    "station_not_assigned": "",
    "ambiguous_station": "",
    "unknown_station": "",
    "unknown_sender": "",
    "impossible": "",
    "too_many": "",
    "outside_window": "",
    "in_future": "",
    "invalid": "",
}
# Deliberately longer than one SMS: the manual a monitor asks for with HELP.
BUDGETS = {"help.overview": 2, "help.T": 2, "help.V": 3, "help.checklist": 3, "help.P": 3}


def report(body: ev.ReportBody, flags: frozenset[ev.ReportFlag] = frozenset()) -> ev.Report:
    return ev.Report(
        id="sms-3f2a9c0d",
        station_id="ALA-0123",  # the registry's station codes
        monitor_id="mon-1",
        channel=ev.Channel.SMS,
        observed_at=T0,
        received_at=T0,
        body=body,
        flags=flags,
    )


def longest_reports() -> Iterator[tuple[str, ev.Report]]:
    """A report of each shape, with the most digits a polling station reports."""
    over = frozenset({ev.ReportFlag.TURNOUT_EXCEEDS_REGISTERED})
    yield "turnout", report(ev.TurnoutUpdate(9999, 999))
    yield "turnout_over", report(ev.TurnoutUpdate(9999, 999), over)
    for kind in ev.ViolationType:
        yield f"incident.{kind.value}", report(ev.Incident(kind, "x" * 400))
    for phase in ev.ChecklistPhase:
        yield f"checklist.{phase.value}", report(ev.Checklist(phase, dict.fromkeys(ITEMS, True)))
        yield f"checklist_no.{phase.value}", report(ev.Checklist(phase, dict.fromkeys(ITEMS, False)))
    for copy in (True, False):
        protocol = ev.FinalProtocol(9999, 9999, 9999, 9999, 9999, 999, {"P01": 9999}, copy)
        yield f"protocol.{copy}", report(protocol)


def quoted(lang: Lang) -> str:
    """What a monitor typed, quoted back: Latin in an English reply, Cyrillic otherwise (an
    English reply quoting Cyrillic is sent as UCS-2 and may take two segments)."""
    return "W" * QUOTED if lang == "en" else "Ж" * QUOTED


def longest_params(lang: Lang) -> dict[str, str]:
    return {
        "n": "65536",  # characters: a webhook body is at most 64 kB
        "token": quoted(lang),
        "tag": "R",
        "tags": "R B G C V X",
        "station": "ALA-12345",
        "yours": "ALA-10123, ALA-10456 +3",
        "several": "ALA-0123, AKM-0123, ZKO-0123",
        "first": "ZKO-10123",
        "field": "invalid_ballots",
        "value": "1234567890...",
        "max": "1000000",
        "got": "101",
        "time": "2001-03-01T10:00:00+00:00",
        "opens": "2026-02-28T00:00:00+06:00",
        "closes": "2026-03-02T00:00:00+06:00",
    }


def replies(lang: Lang) -> Iterator[tuple[str, str]]:
    """(catalog key, reply) for every text a monitor can get, longest values filled in."""
    for name, rep in longest_reports():
        yield f"reply.ok/{name}", sms_replies.accepted(rep, lang)
        yield f"reply.duplicate/{name}", sms_replies.duplicate(rep, lang)
    for code, forms in ERROR_FORMS.items():
        for form in forms or [""]:
            error = SmsError(code.removesuffix("_protocol"), form, longest_params(lang))
            yield f"error.{code}/{form}", sms_replies.rejected(error, lang)
    yield "reply.unavailable", sms_replies.unavailable(lang)
    yield "help.overview", sms_replies.help_text("", lang)
    for topic in "TVROCP":
        key = "help.checklist" if topic in "ROC" else f"help.{topic}"
        yield key, sms_replies.help_text(topic, lang)


def test_every_text_exists_in_every_language_with_the_same_sections() -> None:
    assert TEXTS[Lang.RU].keys() == TEXTS[Lang.EN].keys()
    assert TEXTS[Lang.KK].keys() == TEXTS[Lang.EN].keys()
    for lang in LANGS:
        for key, value in TEXTS[lang].items():
            assert value, (lang, key)
            assert value.strip() == value, (lang, key)


def test_every_error_text_has_a_budget_row_here() -> None:
    in_catalog = {k.removeprefix("error.") for k in TEXTS[Lang.EN] if k.startswith("error.")}
    assert in_catalog == set(ERROR_FORMS)


def test_russian_and_kazakh_texts_are_in_cyrillic() -> None:
    """No English left behind: each translated sentence has Cyrillic letters."""
    sentences = [
        (lang, key, value)
        for lang in (Lang.RU, Lang.KK)
        for key, value in TEXTS[lang].items()
        if key.split(".")[0] in ("error", "reply", "help", "violation", "form", "phase")
        and any(not w.startswith("{") for w in value.split())
    ]
    assert {lang for lang, _, _ in sentences} == {Lang.RU, Lang.KK}
    for lang, key, value in sentences:
        assert any("\u0400" <= c <= "\u04ff" for c in value), (lang, key, value)


@pytest.mark.parametrize("lang", LANGS)
def test_every_reply_fits_its_budget_of_segments(lang: Lang) -> None:
    over = []
    for key, reply in replies(lang):
        budget = BUDGETS.get(key.split("/")[0], 1)
        if segments(reply) > budget:
            over.append(f"{key}: {segments(reply)} > {budget}: {reply!r} ({len(reply)} characters)")
        assert is_gsm(reply) == (lang == "en"), reply  # Cyrillic is UCS-2: 70 characters an SMS
        assert set(reply) & set("{}") == set(), reply  # every parameter was filled in
    assert not over, "\n".join(over)


def test_the_segment_count_follows_gsm_and_ucs2() -> None:
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("{" * 80) == 1  # an extension character costs two septets
    assert segments("{" * 81) == 2
    assert segments("ж" * 70) == 1
    assert segments("ж" * 71) == 2
    assert segments("ж" * 134) == 2
    assert segments("ж" * 135) == 3
    assert segments(string.ascii_letters + "ж") == 1


def test_one_segment_replies_exist_in_every_language() -> None:
    """The budget test would pass on an empty catalog: it renders texts in each language."""
    assert set(LANGS) == set(Lang)
    for lang in LANGS:
        texts = dict(replies(lang))
        assert len(texts) > 60
        assert all(texts.values())


def validation_errors() -> Iterator[tuple[str, SmsError]]:
    """Errors validation gives SMS reports, through the real path (sms_report)."""
    window = ReportingWindow(datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))
    ctx = Context("mon-1", frozenset({"ALA-0123", "ALA-9999"}), {"ALA-0123": 1000}, T0, ev.Channel.SMS)
    parties = " ".join(f"P{n}=1" for n in range(1, 102))
    for code, text, at in [
        ("impossible", "T 0123 99999999999999999999", None),
        ("too_many", f"P 0123 R1 B1 G1 C1 V1 X1 {parties} COPY", None),
        ("outside_window", "T 0123 450", datetime(2001, 3, 1, tzinfo=UTC)),
        ("unknown_station", "T 9999 450", None),
    ]:
        command = parse_sms(text)
        assert not isinstance(command, SmsError | SmsHelp)
        error = sms_report(command, replace(ctx, window=window), at)
        assert isinstance(error, SmsError)
        assert error.code == code
        yield code, error


@pytest.mark.parametrize("lang", LANGS)
def test_errors_from_validation_are_worded_in_every_language_in_one_sms(lang: Lang) -> None:
    errors = list(validation_errors())
    assert [code for code, _ in errors] == ["impossible", "too_many", "outside_window", "unknown_station"]
    for code, error in errors:
        reply = sms_replies.rejected(error, lang)
        assert segments(reply) == 1, reply
        assert code not in reply, reply  # its own text, not the fallback that names the code
