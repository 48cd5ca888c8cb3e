"""Schema extensions: depth, token, alias and cost limits, argument text, error masking, metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLSchema, OperationDefinitionNode
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.field_extension import FieldExtension
from strawberry.types import Info

from services.api import metrics
from services.api.arguments import bad_text_argument
from services.api.auth import ANONYMOUS
from services.api.client_errors import is_fault
from services.api.document_cache import document_caches
from services.api.errors import ApiError, QueryTooComplexError
from services.api.query_cost import operation_cost
from services.api.settings import ApiSettings
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


class ArgumentTextCheck(SchemaExtension):
    """Refuses text arguments the API cannot use (NUL, unpaired surrogates, huge) before execution."""

    def on_validate(self) -> Iterator[None]:
        # Errors set before validation stop the operation there (strawberry then skips
        # validating; ValidatedDocuments, entered before this, does not record the document).
        ctx = self.execution_context
        document = None if ctx.pre_execution_errors else ctx.graphql_document
        if document is not None and (error := bad_text_argument(document, ctx.variables)) is not None:
            ctx.pre_execution_errors = [error]
        yield


class QueryCostLimit(SchemaExtension):
    """Refuses an operation costing more than the caller's role allows, or than its key's cost
    budget holds right now (see query_cost and throttle); runs before validation, like the
    text check, so a refused operation costs only its estimate."""

    def __init__(self, settings: ApiSettings) -> None:
        super().__init__()
        self._settings = settings

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = None if ctx.pre_execution_errors else ctx.graphql_document
        if document is not None and (error := self._refusal(document)) is not None:
            ctx.pre_execution_errors = [error]
        yield

    def _refusal(self, document: DocumentNode) -> ApiError | None:
        ctx, s = self.execution_context, self._settings
        cost = operation_cost(
            core_schema(ctx.schema), document, ctx.operation_name, ctx.variables, s.page_default, s.page_max
        )
        metrics.OPERATION_COST.observe(cost)
        context = ctx.context
        principal = getattr(context, "principal", ANONYMOUS)
        limit = s.max_cost(principal.role)
        if cost > limit:
            metrics.COST_REFUSED.labels("query").inc()
            return QueryTooComplexError(
                f"query cost {cost:,} exceeds the {principal.role.value} role's limit of {limit:,} "
                "(API_MAX_COST_...): ask for smaller pages (first:) or fewer nested lists",
                limit="cost",
                cost=cost,
                maxCost=limit,
            )
        throttle = getattr(context, "throttle", None)
        return None if throttle is None else throttle.spend(context.rate_bucket, cost)


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


def extensions(settings: ApiSettings) -> list[Callable[[], SchemaExtension]]:
    s = settings
    exts: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=s.max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=s.max_aliases),
        lambda: QueryDepthLimiter(max_depth=s.max_depth),
        OperationMetrics,
        *document_caches(),
        # After the document caches, whose validation skip would otherwise clear their errors.
        ArgumentTextCheck,
        lambda: QueryCostLimit(s),
    ]
    if s.production:
        exts.append(lambda: MaskErrors(should_mask_error=is_fault, error_message="Internal error."))
    return exts
