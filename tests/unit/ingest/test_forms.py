"""GET /v1/forms' document: the checklist per phase, violations and protocol checks in en/ru/kk."""

from __future__ import annotations

import orjson

from services.aggregator.domain.protocol_check import PREFIX, problems
from services.common import catalog
from services.common.checklist_config import load_checklists
from services.common.contracts import events as ev
from services.ingest.contestants import Contestant
from services.ingest.forms import forms_document, forms_json
from tests.support.factories import protocol

LANGS = {"en", "ru", "kk"}


def test_the_checklist_keeps_its_shape_and_every_text_is_in_every_language() -> None:
    document = forms_json([Contestant("P01", "Amanat")])
    assert {q["phase"] for q in document["checklist"]} == {p.value for p in ev.ChecklistPhase}
    for question in document["checklist"]:
        assert set(question) == {"id", "phase", "texts", "critical"}
        assert question["id"] in ev.CHECKLIST_ITEMS
        assert set(question["texts"]) == LANGS
        for lang, text in question["texts"].items():
            # A text of the catalog's own, not the code spelled out as a fallback.
            assert text == catalog.table(catalog.Lang(lang))["checklist"][question["id"]]
    assert len(document["checklist"]) == len(load_checklists().questions)
    assert [v["id"] for v in document["violations"]] == [v.value for v in ev.ViolationType]
    assert len(document["violations"]) == 10  # the nine types and other
    assert all(set(v["texts"]) == LANGS for v in document["violations"] + document["phases"])
    assert document["contestants"] == [{"code": "P01", "name": "Amanat"}]


def test_the_protocol_checks_are_the_aggregators() -> None:
    wrong_everywhere = protocol(
        registered_voters=100, ballots_received=100, ballots_issued=200, ballots_cast=300,
        valid_ballots=10, invalid_ballots=10, votes={"P01": 1},
    )  # fmt: skip
    raised = {text.key.removeprefix(PREFIX) for text in problems(wrong_everywhere)}
    checks = forms_json([])["protocol_checks"]
    assert set(checks) == raised
    assert checks["votes_mismatch"]["ru"] == catalog.text("alert", PREFIX + "votes_mismatch", catalog.Lang.RU)


def test_the_document_is_served_with_a_stable_etag() -> None:
    first, again = forms_document([]), forms_document([])
    assert first == again
    assert orjson.loads(first.body) == forms_json([])
    assert forms_document([Contestant("P01", "A")]).etag != first.etag
