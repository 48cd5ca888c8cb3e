"""A subscription's selection set compiled into plain functions over the live value.

graphql-core spends ~100-200 µs executing even a five-field selection on one event (field
collection, resolve info, completion, per field), which at thousands of updates per second
is most of the API's CPU. Live update values are plain objects already in memory, so a
selection made of plain fields can be rendered by a few closures instead.

Only a safe subset is compiled; anything else returns None and graphql-core executes it:
fields with arguments, directives, abstract types, fragments on other types, a response key
used twice, async or permission-guarded resolvers. At run time a resolver may only use
`self`: touching `info` (a database read, an access check), returning an awaitable, a null
in a non-null position or any exception raises `FallbackError`, and the caller executes
that event with graphql-core, which produces the exact data and errors. Leaves are serialized
by the schema's own scalar and enum serializers. A unit test compares both on many documents.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from math import isfinite
from operator import attrgetter
from types import GeneratorType
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.pyutils import Undefined
from graphql.type.scalars import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    serialize_boolean,
    serialize_float,
    serialize_id,
    serialize_int,
    serialize_string,
)

Render = Callable[[Any], Any]


class FallbackError(Exception):
    """This value needs graphql-core's full execution."""


class _NoInfo:
    """Passed as `info`: a resolver that needs it is not on the pure live path."""

    def __getattr__(self, name: str) -> Any:
        raise FallbackError(name)


_NO_INFO = _NoInfo()


def _flatten(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], type_name: str
) -> Iterator[FieldNode | None]:
    """The fields of a selection on `type_name`; None marks something not compiled."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if selection.directives:
            yield None
        elif isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is not None and condition.name.value != type_name:
                yield None
            else:
                yield from _flatten(selection.selection_set, fragments, type_name)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None or fragment.directives or fragment.type_condition.name.value != type_name:
                yield None
            else:
                yield from _flatten(fragment.selection_set, fragments, type_name)
        else:
            yield None


# Types seen returned by a resolver that are never awaitable: inspect.isawaitable's ABC check
# is a visible cost per field per update. Generators are not cached (they can be coroutines).
_NOT_AWAITABLE: set[type] = set()


def _awaitable(value: Any) -> bool:
    if inspect.isawaitable(value):
        return True
    if not isinstance(value, GeneratorType):
        _NOT_AWAITABLE.add(type(value))
    return False


def _getter(field: Any) -> Render | None:
    """How to read a field from its parent object without graphql-core, or None."""
    definition = (field.extensions or {}).get("strawberry-definition")
    if definition is None or field.args or definition.permission_classes or definition.extensions:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        return attrgetter(definition.python_name)
    func = resolver.wrapped_func
    if resolver.is_async or inspect.iscoroutinefunction(func):
        return None
    params = list(resolver.signature.parameters)
    if not params or params[0] != "self" or any(p != "info" for p in params[1:]):
        return None
    with_info = "info" in params

    def call(obj: Any) -> Any:
        value = func(obj, info=_NO_INFO) if with_info else func(obj)
        if type(value) not in _NOT_AWAITABLE and _awaitable(value):
            close = getattr(value, "close", None)
            if close is not None:
                close()  # never awaited on purpose: graphql-core runs the resolver again
            raise FallbackError("awaitable")
        return value

    return call


def complete_value(
    gtype: GraphQLOutputType,
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
) -> Render | None:
    """Completes a resolved value of `gtype` like graphql-core would (see module docstring)."""
    if isinstance(gtype, GraphQLNonNull):
        inner = _complete_nullable(gtype.of_type, selection_set, fragments)
        if inner is None:
            return None

        def non_null(value: Any) -> Any:
            if value is None:
                raise FallbackError("null in a non-null position")
            return inner(value)

        return non_null
    complete = _complete_nullable(gtype, selection_set, fragments)
    if complete is None:
        return None
    return lambda value: None if value is None else complete(value)


def _complete_nullable(
    gtype: GraphQLOutputType,
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
) -> Render | None:
    if isinstance(gtype, GraphQLList):
        item = complete_value(gtype.of_type, selection_set, fragments)
        if item is None:
            return None

        def as_list(value: Any) -> Any:
            if isinstance(value, str | bytes | dict):
                raise FallbackError("not a list")
            return [item(v) for v in value]

        return as_list
    if isinstance(gtype, GraphQLScalarType | GraphQLEnumType):
        return _leaf(gtype.serialize)
    if isinstance(gtype, GraphQLObjectType):
        return compile_object(gtype, selection_set, fragments)
    return None  # interfaces and unions: resolve_type is graphql-core's job


def _leaf(serialize: Callable[[Any], Any]) -> Render:
    """The scalar's serializer; the built-in ones return a value of their own exact type as is
    (graphql-core's serialize_* do the same after their checks), so those skip the call."""

    def leaf(value: Any) -> Any:
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise FallbackError("leaf serialized to null")
        return serialized

    if serialize is serialize_string or serialize is serialize_id:
        return lambda value: value if type(value) is str else leaf(value)
    if serialize is serialize_boolean:
        return lambda value: value if type(value) is bool else leaf(value)
    if serialize is serialize_int:
        return lambda value: (
            value if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT else leaf(value)
        )
    if serialize is serialize_float:
        return lambda value: value if type(value) is float and isfinite(value) else leaf(value)
    return leaf


def compile_object(
    gtype: GraphQLObjectType,
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
) -> Render | None:
    """A function rendering an object of `gtype` for this selection, or None if not compiled."""
    parts: list[tuple[str, Render, Render]] = []  # (response key, read from parent, complete)
    for node in _flatten(selection_set, fragments, gtype.name):
        if node is None or node.arguments:
            return None
        key = node.alias.value if node.alias else node.name.value
        if any(key == k for k, _, _ in parts):
            return None  # merging same-key fields is graphql-core's job
        name = node.name.value
        if name == "__typename":
            type_name = gtype.name
            parts.append((key, lambda _, t=type_name: t, _same))  # type: ignore[misc]
            continue
        field = gtype.fields.get(name)
        if field is None or name.startswith("__"):
            return None
        get = _getter(field)
        complete = None if get is None else complete_value(field.type, node.selection_set, fragments)
        if get is None or complete is None:
            return None
        parts.append((key, get, complete))
    if not parts:
        return None
    return lambda obj: {key: complete(get(obj)) for key, get, complete in parts}


def _same(value: Any) -> Any:
    return value
