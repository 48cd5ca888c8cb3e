"""Operation metrics: requests by root field and outcome, and each root field's resolver time."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.extensions.field_extension import FieldExtension
from strawberry.types import Info

from services.api import metrics
from services.api.errors import ApiError
from services.patches.strawberry import core_schema


def operation_label(document: DocumentNode | None, operation_name: str | None, schema: GraphQLSchema) -> str:
    """A bounded label for an operation: its root field as the schema names it.

    Not the client's free-text operation name, which would give a label value per client.
    "multiple" when several root fields are asked for, "unknown" for none the schema has.
    """
    if document is None:
        return "invalid"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next((o for o in operations if o.name and o.name.value == operation_name), None)
    operation = chosen or (operations[0] if operations else None)
    if operation is None:
        return "invalid"
    root = schema.get_root_type(operation.operation)
    fields = {s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)}
    if len(fields) != 1:
        return "multiple" if fields else "unknown"
    (field,) = fields
    return field if root is not None and field in root.fields else "unknown"


class OperationMetrics(SchemaExtension):
    """Counts operations by root field and outcome."""

    def on_operation(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        name = operation_label(ctx.graphql_document, ctx.operation_name, core_schema(ctx.schema))
        result = ctx.result
        errors = getattr(result, "errors", None) or ctx.pre_execution_errors
        outcome = "ok"
        if errors:
            refused = any(isinstance(e.original_error, ApiError) or e.original_error is None for e in errors)
            outcome = "refused" if refused and getattr(result, "data", None) is None else "error"
        metrics.REQUESTS.labels(name, outcome).inc()


class RootFieldTimer(FieldExtension):
    """Times one root Query/Mutation field into RESOLVER_SECONDS.

    A field extension on the root fields only, not a schema-wide `resolve` hook: such a hook
    wraps every field of every result (subscription events included) in a coroutine, which
    made live fan-out several times slower.
    """

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return await next_(source, info, **kwargs)
        finally:
            metrics.RESOLVER_SECONDS.labels(info.field_name).observe(time.perf_counter() - start)


def time_root_fields(*roots: type) -> None:
    """Adds a RootFieldTimer to every field of the given root types (once)."""
    for root in roots:
        for field in root.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if not any(isinstance(e, RootFieldTimer) for e in field.extensions):
                field.extensions.append(RootFieldTimer())
