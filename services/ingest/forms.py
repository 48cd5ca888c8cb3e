"""GET /v1/forms' document: what the monitor app's forms ask, in English, Russian and Kazakh.

Built once at start from the checklist questions (services/aggregator/rules/checklists.yaml, the
one file the aggregator's findings read too), the message catalog and the contestants file, so
the app follows the server's configuration. Its shape is
stable: `checklist` items are {id, phase, texts, critical}; every `texts` maps en/ru/kk to a text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from services.common import catalog
from services.common.checklist_config import ChecklistQuestion, load_checklists
from services.common.contracts import events as ev
from services.ingest.contestants import Contestant

# The aggregator's protocol checks have their texts in the catalog under this prefix.
PROTOCOL_CHECK = "protocol_inconsistent."


@dataclass(frozen=True, slots=True)
class FormsDocument:
    body: bytes  # JSON
    etag: str


def texts(section: str, code: str) -> dict[str, str]:
    return {lang.value: catalog.text(section, code, lang) for lang in catalog.Lang}


def forms_json(
    contestants: Iterable[Contestant], questions: Iterable[ChecklistQuestion] | None = None
) -> dict[str, Any]:
    if questions is None:
        questions = load_checklists().questions
    alerts = catalog.table(catalog.Lang.EN)["alert"]
    checks = [key.removeprefix(PROTOCOL_CHECK) for key in alerts if key.startswith(PROTOCOL_CHECK)]
    return {
        "phases": [{"id": p.value, "texts": texts("phase", p.value)} for p in ev.ChecklistPhase],
        "checklist": [
            {"id": q.id, "phase": q.phase.value, "texts": texts("checklist", q.id), "critical": q.critical}
            for q in questions
        ],
        "violations": [{"id": v.value, "texts": texts("violation", v.value)} for v in ev.ViolationType],
        "contestants": [{"code": c.code, "name": c.name} for c in contestants],
        # The aggregator's protocol checks, as the app shows them while the monitor types.
        "protocol_checks": {name: texts("alert", PROTOCOL_CHECK + name) for name in checks},
    }


def forms_document(contestants: Iterable[Contestant]) -> FormsDocument:
    body = orjson.dumps(forms_json(contestants))
    return FormsDocument(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
