"""Every GraphQL document the dashboard sends is valid against services/api/schema.graphql, and
those every role sends cost less than a public key may ask."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLError, GraphQLSchema, build_schema, parse, specified_rules, validate
from graphql.validation import NoUnusedFragmentsRule

from services.api.export_schema import SCHEMA_FILE
from services.api.query_cost import operation_cost
from services.api.schema import build_schema as build_api_schema
from services.api.settings import ApiSettings
from tests.support.graphql_documents import Document, UncheckableDocumentError, documents

# A file holding only fragments is checked without the rule that every fragment must be used.
_FRAGMENT_RULES = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]


def problems(schema: GraphQLSchema, document: Document) -> list[str]:
    """`file:line: message` for each way `document` is not valid against `schema`."""
    where = f"{document.path}:{document.line}"
    try:
        parsed = parse(document.text)
    except GraphQLError as error:
        return [f"{where}: {error.message}"]
    only_fragments = all(d.kind == "fragment_definition" for d in parsed.definitions)
    errors = validate(schema, parsed, _FRAGMENT_RULES if only_fragments else None)
    return [f"{where}: {e.message}" for e in errors]


def test_every_dashboard_document_is_valid_against_the_schema() -> None:
    schema = build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
    found = documents()
    assert any(d.path.name == "queries.ts" for d in found), "no GraphQL document found in web/src"
    invalid = [p for d in found for p in problems(schema, d)]
    assert not invalid, "\n".join(invalid)


def test_the_findings_documents_every_role_sends_cost_less_than_a_public_key_may_ask() -> None:
    schema = build_api_schema()._schema
    defaults = {name: f.default for name, f in ApiSettings.model_fields.items()}
    findings = [d for d in documents() if d.text.startswith("query Findings")]
    costs = {
        d.text.split()[1]: operation_cost(
            schema, parse(d.text), None, {}, defaults["page_default"], defaults["page_max"]
        )
        for d in findings
    }
    assert sorted(costs) == ["Findings", "FindingsChecklist"]
    assert max(costs.values()) <= defaults["max_cost_public"], costs


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_documents_are_found_with_their_constants_filled_in(tmp_path: Path) -> None:
    _write(tmp_path, "fields.ts", "export const FIELDS = `id\n  name`;\n")
    _write(
        tmp_path,
        "queries.ts",
        'import { FIELDS } from "./fields";\nconst INNER = `stats { ${FIELDS} }`;\n'
        'export const ONE = `query One { station(id: "S1") { ${INNER} } }`;\n',
    )
    _write(tmp_path, "View.tsx", "const v = <p>Don't query {x}</p>;\ngql(key, 'mutation { a }');\n")
    found = {(d.path.name, d.line): d.text for d in documents(tmp_path)}
    assert found == {
        ("View.tsx", 2): "mutation { a }",
        ("queries.ts", 3): 'query One { station(id: "S1") { stats { id\n  name } } }',
    }


def test_a_document_interpolating_anything_but_a_constant_cannot_be_checked(tmp_path: Path) -> None:
    _write(tmp_path, "q.ts", "export const Q = (f: string) => `query Q { station(id: $id) { ${f} } }`;\n")
    with pytest.raises(UncheckableDocumentError, match=r"q.ts:1: interpolates `\$\{f\}`"):
        documents(tmp_path)


def test_an_unknown_field_is_named_with_its_file_and_line() -> None:
    schema = build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))
    bad = Document(Path("web/src/api/queries.ts"), 12, "query Q { overview { nationalX { id } } }")
    assert problems(schema, bad) == [
        "web/src/api/queries.ts:12: Cannot query field 'nationalX' on type 'Overview'. "
        "Did you mean 'national'?"
    ]
