"""Subscription events executed once per (event, selection, role and scope), shared by subscribers.

graphql-core executes a subscription's selection set again for every event and every
subscriber. Every subscriber that receives the same event (same channel revision) with the
same selection set, the same variables used inside it and the same role and scope would get
the same result but for its own `seq`. `SharingExecutor` runs the first such execution, keeps
it for a while in `SharedResults` (bounded, oldest out first) and gives the others a copy with
their `seq` put in. Access checks run in resolvers against the principal's role and scope,
which are part of the key, so sharing never lets a result cross roles.

Before any of that, a selection that `live.render` could compile is rendered directly from
the event (no graphql-core at all); on `FallbackError` the event takes the path above.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, cast

import orjson
from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    OperationType,
    SelectionSetNode,
    VariableNode,
    print_ast,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from services.api.auth import Principal
from services.api.live.render import Render, complete_value

_RESULTS_KEPT = 20_000
_DOCUMENTS_KEPT = 1024


class SharedEvent(Protocol):
    """What a subscription yields: its subscriber's seq and the event's identity."""

    seq: int

    def share_key(self) -> tuple[object, ...]: ...


class SharedResults:
    """Recent shared executions (or the ones still running), oldest evicted first."""

    def __init__(self, size: int = _RESULTS_KEPT) -> None:
        self._size = size
        # OrderedDict: evicting a plain dict's first key scans the slots its earlier deletions
        # left at the front (~9 µs a put at 20,000 entries), popitem(last=False) does not.
        self._entries: OrderedDict[tuple[object, ...], ExecutionResult | asyncio.Future[ExecutionResult]] = (
            OrderedDict()
        )
        self.hits = 0
        self.misses = 0
        # Per parsed subscription document: its compiled form (see plan_for).
        self.compiled: dict[int, _Compiled] = {}

    def get(self, key: tuple[object, ...]) -> ExecutionResult | asyncio.Future[ExecutionResult] | None:
        return self._entries.get(key)

    def put(self, key: tuple[object, ...], value: ExecutionResult | asyncio.Future[ExecutionResult]) -> None:
        if len(self._entries) >= self._size and key not in self._entries:
            self._entries.popitem(last=False)
        self._entries[key] = value

    def discard(self, key: tuple[object, ...]) -> None:
        self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True, slots=True)
class Plan:
    """How one subscription document shares: its key, root response key and `seq` keys."""

    key: tuple[object, ...] | None  # None: this operation does not share
    root_key: str = ""
    seq_keys: tuple[str, ...] = ()
    render: Render | None = None  # the compiled selection, when live.render could compile it


NOT_SHARED = Plan(None)


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    """The fields of a selection set, through inline fragments and fragment spreads."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)


def _variables(
    node: Node | tuple[Node, ...] | None, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> set[str]:
    """Names of the variables used anywhere under `node`, fragments included."""
    found: set[str] = set()
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, VariableNode):
            found.add(item.name.value)
        elif isinstance(item, FragmentSpreadNode) and item.name.value not in seen:
            seen.add(item.name.value)
            stack.append(fragments.get(item.name.value))
        if isinstance(item, Node):
            stack.extend(getattr(item, key) for key in item.keys if key != "loc")
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


def _key(response: FieldNode) -> str:
    return response.alias.value if response.alias else response.name.value


@dataclass(frozen=True, slots=True)
class _Compiled:
    """What a plan needs from the document alone, computed once per parsed document."""

    operation: Any  # kept so that its id() stays unique while cached
    shareable: bool
    document: str = ""
    used: tuple[str, ...] = ()
    root_key: str = ""
    seq_keys: tuple[str, ...] = ()
    render: Render | None = None


def _compile(
    schema: GraphQLSchema, operation: Any, fragments: dict[str, FragmentDefinitionNode]
) -> _Compiled:
    if operation.operation is not OperationType.SUBSCRIPTION:
        return _Compiled(operation, False)
    roots = list(_fields(operation.selection_set, fragments))
    if len(roots) != 1:
        return _Compiled(operation, False)
    root = roots[0]
    # The root field's own arguments (ids, region, ...) only choose which events arrive;
    # every other variable may shape the result and so belongs to the key.
    used = _variables(root.selection_set, fragments, set()) | _variables(root.directives, fragments, set())
    document = print_ast(operation) + "".join(print_ast(fragments[name]) for name in sorted(fragments))
    seq_keys = tuple(
        dict.fromkeys(_key(f) for f in _fields(root.selection_set, fragments) if f.name.value == "seq")
    )
    render = None
    root_type = schema.subscription_type
    root_field = None if root_type is None else root_type.fields.get(root.name.value)
    if root_field is not None and not root.directives:
        render = complete_value(root_field.type, root.selection_set, fragments)
    return _Compiled(operation, True, document, tuple(sorted(used)), _key(root), seq_keys, render)


def plan_for(
    schema: GraphQLSchema,
    operation: Any,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    principal: Principal | None,
    compiled: dict[int, _Compiled] | None = None,
) -> Plan:
    """The sharing plan of a subscription operation (NOT_SHARED when unsure).

    `compiled` memoizes the document-only part by operation node: parsed documents are
    shared by every subscriber sending the same text (the parser cache).
    """
    if principal is None:
        return NOT_SHARED
    found = None if compiled is None else compiled.get(id(operation))
    if found is None or found.operation is not operation:
        found = _compile(schema, operation, fragments)
        if compiled is not None:
            if len(compiled) >= _DOCUMENTS_KEPT:
                compiled.clear()
            compiled[id(operation)] = found
    if not found.shareable:
        return NOT_SHARED
    try:
        values = orjson.dumps({name: variables.get(name) for name in found.used}, default=str)
    except TypeError:
        return NOT_SHARED
    # Role and scope (incident texts, regions: a scoped overview is its regions' own, verified
    # only) are part of what a result is shared by.
    key = (
        found.document,
        values,
        principal.role.value,
        principal.may_read_incident_texts,
        principal.regions,
        principal.verified_only,
    )
    return Plan(key, found.root_key, found.seq_keys, found.render)


def with_seq(result: ExecutionResult, plan: Plan, seq: int) -> ExecutionResult:
    """A copy of a shared result carrying this subscriber's `seq` (the rest is shared, read-only)."""
    data = result.data
    if data is not None and plan.seq_keys:
        inner = data.get(plan.root_key)
        if isinstance(inner, dict):
            patched = dict(inner)
            for name in plan.seq_keys:
                if name in patched:
                    patched[name] = seq
            data = {**data, plan.root_key: patched}
    errors = None if result.errors is None else list(result.errors)
    return ExecutionResult(data, errors, result.extensions)


class SharingExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, sharing subscription event executions through the context."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per-event executors are shallow copies of the subscription's: they share this holder.
        self._plan_holder: list[Plan] = []

    def _plan(self) -> Plan:
        if not self._plan_holder:
            principal = getattr(self.context_value, "principal", None)
            shared: SharedResults | None = getattr(self.context_value, "shared_results", None)
            self._plan_holder.append(
                plan_for(
                    self.schema,
                    self.operation,
                    self.fragment_definitions,
                    self.variable_values.coerced,
                    principal,
                    None if shared is None else shared.compiled,
                )
            )
        return self._plan_holder[0]

    def execute_operation(self, serially: bool | None = None) -> Any:
        event = self.root_value
        shared: SharedResults | None = getattr(self.context_value, "shared_results", None)
        share_key = getattr(event, "share_key", None)
        if shared is None or share_key is None:
            return super().execute_operation(serially)
        plan = self._plan()
        if plan.key is None:
            return super().execute_operation(serially)
        if plan.render is not None:
            try:
                return ExecutionResult({plan.root_key: plan.render(event)}, None)
            except Exception:  # FallbackError, or anything else: graphql-core decides
                pass
        key = (plan.key, *share_key())
        seq = cast(SharedEvent, event).seq
        found = shared.get(key)
        if found is None:
            shared.misses += 1
            result = super().execute_operation(serially)
            if not self.is_awaitable(result):
                shared.put(key, cast(ExecutionResult, result))
                return with_seq(cast(ExecutionResult, result), plan, seq)
            future = asyncio.ensure_future(cast(Awaitable[ExecutionResult], result))
            shared.put(key, future)
            future.add_done_callback(
                lambda f: shared.discard(key) if f.cancelled() or f.exception() else None
            )
            return self._later(future, plan, seq)
        shared.hits += 1
        if isinstance(found, asyncio.Future):
            return self._later(found, plan, seq)
        return with_seq(found, plan, seq)

    @staticmethod
    async def _later(future: asyncio.Future[ExecutionResult], plan: Plan, seq: int) -> ExecutionResult:
        # Shielded: one subscriber leaving must not cancel the execution the others wait for.
        return with_seq(await asyncio.shield(future), plan, seq)
