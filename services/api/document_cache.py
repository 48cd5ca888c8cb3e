"""Parsing and validation done once per distinct document, not once per subscribe.

Thousands of dashboards subscribe with the same few documents; parsing and validating each
again costs milliseconds apiece (most of a reconnect storm's CPU). Parsing goes through
strawberry's ParserCache (keyed by text and parse options, so the token limit still applies);
`ValidatedDocuments` remembers the texts that passed validation, with every rule the schema
applies (depth, aliases included), and lets them skip it. Invalid documents are not
remembered: they are validated, and refused, every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from strawberry.extensions import ParserCache, SchemaExtension

_DOCUMENTS_KEPT = 1024


class ValidatedDocuments(SchemaExtension):
    """Skips validation of a document text that already passed it (per schema)."""

    def __init__(self, valid: set[tuple[str, str | None]]) -> None:
        super().__init__()
        self._valid = valid

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        key = (ctx.query or "", ctx.operation_name)
        known = ctx.query is not None and key in self._valid
        if known:
            ctx.pre_execution_errors = []  # strawberry skips validation when errors are set
        yield
        if not known and ctx.query is not None and ctx.pre_execution_errors == []:
            if len(self._valid) >= _DOCUMENTS_KEPT:
                self._valid.clear()
            self._valid.add(key)


def document_caches() -> list[Callable[[], SchemaExtension]]:
    """Extension factories sharing one set of validated documents (build once per schema)."""
    valid: set[tuple[str, str | None]] = set()
    return [lambda: ParserCache(maxsize=_DOCUMENTS_KEPT), lambda: ValidatedDocuments(valid)]
