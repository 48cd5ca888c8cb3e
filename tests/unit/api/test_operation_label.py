from __future__ import annotations

import pytest
from graphql import parse

from services.api.operation_metrics import operation_label
from services.api.schema import build_schema

SCHEMA = build_schema()._schema


@pytest.mark.parametrize(
    ("document", "name", "label"),
    [
        ("query AnyNameAClientLikes { regions { id } }", "AnyNameAClientLikes", "regions"),
        ("{ overview { openAlerts { total } } }", None, "overview"),
        ("query A { regions { id } } query B { overview { openAlerts { total } } }", "B", "overview"),
        ("{ regions { id } overview { openAlerts { total } } }", None, "multiple"),
        ("{ a: regions { id } b: regions { id } }", None, "regions"),
        ("{ noSuchField }", None, "unknown"),
        ('mutation M { acknowledgeAlert(id: "x") { id } }', "M", "acknowledgeAlert"),
        ("subscription { overviewUpdated { seq } }", None, "overviewUpdated"),
    ],
)
def test_label_is_the_root_field_never_the_clients_name(document: str, name: str | None, label: str) -> None:
    assert operation_label(parse(document), name, SCHEMA) == label


def test_unparsed_document_is_invalid() -> None:
    assert operation_label(None, "Whatever", SCHEMA) == "invalid"
