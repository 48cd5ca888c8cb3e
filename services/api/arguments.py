"""Argument values the API can use: text checked before anything runs, instants in range.

PostgreSQL text cannot hold U+0000 and UTF-8 cannot encode an unpaired surrogate, so either
would fail deep in a query as an internal error; a huge string only costs memory. Every string
reaching a field or directive argument, as a literal or through a variable (inside lists and
input objects too), is checked here and refused as INVALID_ARGUMENT naming the argument.
An instant PostgreSQL's timestamptz cannot hold (year 1 or 9999 once moved to UTC) likewise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from services.api.errors import InvalidArgumentError

MAX_TEXT = 4096  # characters in one text argument; notes and ids are far shorter


def text_problem(text: str) -> str | None:
    """Why `text` cannot be an argument, or None."""
    if len(text) > MAX_TEXT:
        return f"longer than {MAX_TEXT} characters"
    if "\x00" in text:
        return "contains U+0000 (NUL)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains an unpaired surrogate (not valid Unicode text)"
    return None


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, list | tuple):
        return next((p for v in value if (p := _value_problem(v)) is not None), None)
    if isinstance(value, Mapping):
        return next((p for v in value.values() if (p := _value_problem(v)) is not None), None)
    return None


def _node_problem(node: ValueNode, variables: Mapping[str, Any]) -> str | None:
    if isinstance(node, StringValueNode):
        return text_problem(node.value)
    if isinstance(node, VariableNode):
        return _value_problem(variables.get(node.name.value))
    if isinstance(node, ListValueNode):
        return next((p for v in node.values if (p := _node_problem(v, variables)) is not None), None)
    if isinstance(node, ObjectValueNode):
        return next((p for f in node.fields if (p := _node_problem(f.value, variables)) is not None), None)
    return None


def arguments(document: DocumentNode) -> Iterator[ArgumentNode]:
    """Every field and directive argument of every definition in the document."""
    stack: list[Node] = list(document.definitions)
    while stack:
        node = stack.pop()
        for directive in getattr(node, "directives", None) or ():
            yield from directive.arguments or ()
        if isinstance(node, FieldNode):
            yield from node.arguments or ()
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


def bad_text_argument(
    document: DocumentNode, variables: Mapping[str, Any] | None
) -> InvalidArgumentError | None:
    """The error for the first argument whose text cannot be used, or None."""
    values = variables or {}
    for argument in arguments(document):
        if (problem := _node_problem(argument.value, values)) is not None:
            name = argument.name.value
            return InvalidArgumentError(f"{name}: {problem}", argument=name)
    for definition in document.definitions:  # defaults stand in for variables not given
        for variable in getattr(definition, "variable_definitions", None) or ():
            name, default = variable.variable.name.value, variable.default_value
            if default is not None and name not in values and (problem := _node_problem(default, values)):
                return InvalidArgumentError(f"${name}: {problem}", argument=name, variable=name)
    return None


def in_range(value: datetime) -> bool:
    """Whether `value` (naive means UTC) is an instant timestamptz can hold."""
    if value.tzinfo is None:
        return True
    try:
        value.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, or 9999 west of it
        return False
    return True


def instant(value: datetime | None, name: str) -> datetime | None:
    """`value` unchanged, or INVALID_ARGUMENT naming the argument when it is out of range."""
    if value is not None and not in_range(value):
        raise InvalidArgumentError(f"{name}: out of the range of instants this API stores", argument=name)
    return value
