"""What an operation will cost before it runs: fields resolved, with lists multiplied out.

Every selected field costs 1 per object it is resolved on; a list of objects multiplies the
cost of its selection by its size: a page's `first` (or the default page) for a connection's
`nodes`, `ceil(1440 / bucketMinutes)` points for a turnout series, a known bound for the other
lists. So `stations(first: 200) { nodes { incidents { violation } } }` costs about
200 x (1 + 20 x 1). Scalars and lists of scalars cost 1; `__typename` and introspection are
free (the schema bounds them). It runs before validation, so it accepts any document:
unknown fields cost 1, fragment cycles are cut, and each fragment is costed once per page size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from services.api.loaders import INCIDENTS_PER_STATION
from services.common.checklist_config import load_checklists
from services.common.contracts.events import ViolationType

# Lists whose size no argument sets: (parent type, field) -> the most it holds in practice.
LIST_SIZES: dict[tuple[str, str], int] = {
    ("Query", "regions"): 30,  # Kazakhstan: 17 regions and 3 cities
    ("Station", "incidents"): INCIDENTS_PER_STATION,
    ("Station", "monitors"): 5,
    ("Station", "protocolVersions"): 10,  # types/station.py PROTOCOL_VERSIONS
    ("Alert", "actions"): 10,
    ("Alert", "texts"): 5,  # one per reason: at most a protocol's five checks, or the grave kinds
    ("Findings", "regions"): 30,  # as Query.regions
    ("RegionFindings", "violations"): len(ViolationType),  # every type, zeros included
    ("RegionFindings", "checklist"): len(load_checklists().questions),  # every question of every phase
}
UNKNOWN_LIST_SIZE = 100  # a list of objects not listed above: assume a large page
SERIES_MINUTES = 24 * 60  # a turnout series spans at most the election day

_Composite = GraphQLObjectType | GraphQLInterfaceType


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    page_default: int
    page_max: int
    costed: dict[tuple[str, int | None], int] = field(default_factory=dict)
    open: set[str] = field(default_factory=set)

    def int_argument(self, node: FieldNode, name: str) -> object:
        for argument in node.arguments or ():
            if argument.name.value == name:
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode):
                    return self.variables.get(value.name.value)
                return value
        return None

    def page(self, node: FieldNode) -> int:
        first = self.int_argument(node, "first")
        if first is None:
            return self.page_default
        # Anything the resolver will refuse costs the largest page: refused later, never cheap.
        ok = isinstance(first, int) and not isinstance(first, bool) and 1 <= first <= self.page_max
        return first if ok else self.page_max  # type: ignore[return-value]

    def list_size(self, parent: _Composite, node: FieldNode, page: int | None) -> int:
        name = node.name.value
        if name == "nodes" and page is not None:
            return page
        if name == "turnoutSeries":
            bucket = self.int_argument(node, "bucketMinutes")
            bucket = bucket if isinstance(bucket, int) and not isinstance(bucket, bool) else 15
            return math.ceil(SERIES_MINUTES / min(max(bucket, 1), SERIES_MINUTES))
        return LIST_SIZES.get((parent.name, name), UNKNOWN_LIST_SIZE)

    def selection(self, selection_set: SelectionSetNode, parent: _Composite, page: int | None) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                named = parent if condition is None else self.schema.get_type(condition.name.value)
                if isinstance(named, _Composite):
                    total += self.selection(selection.selection_set, named, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection.name.value, page)
        return total

    def spread(self, name: str, page: int | None) -> int:
        if (name, page) in self.costed:
            return self.costed[(name, page)]
        fragment = self.fragments.get(name)
        named = None if fragment is None else self.schema.get_type(fragment.type_condition.name.value)
        if fragment is None or name in self.open or not isinstance(named, _Composite):
            return 0  # unknown, cyclic or mistyped: validation refuses the document
        self.open.add(name)
        cost = self.selection(fragment.selection_set, named, page)
        self.open.discard(name)
        self.costed[(name, page)] = cost
        return cost

    def field(self, node: FieldNode, parent: _Composite, page: int | None) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        definition: GraphQLField | None = parent.fields.get(name)
        if definition is None:
            return 1
        named = get_named_type(definition.type)
        if node.selection_set is None or not isinstance(named, _Composite):
            return 1
        inner = definition.type.of_type if isinstance(definition.type, GraphQLNonNull) else definition.type
        size = self.list_size(parent, node, page) if isinstance(inner, GraphQLList) else 1
        child_page = self.page(node) if "nodes" in named.fields else None
        return 1 + size * self.selection(node.selection_set, named, child_page)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    page_default: int,
    page_max: int,
) -> int:
    """The estimated cost of the operation the request runs (0 if there is none to run)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    if len(operations) != 1:
        return 0  # strawberry refuses the request before running anything
    (operation,) = operations
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = _Walk(schema, fragments, variables or {}, page_default, page_max)
    return walk.selection(operation.selection_set, root, None)
