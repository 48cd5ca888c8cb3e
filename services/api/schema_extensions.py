"""The schema's extensions, in order: token, alias and depth limits, operation metrics
(operation_metrics), document caches, argument text, cost limit and, in production, error masking."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import DocumentNode
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from services.api import metrics
from services.api.arguments import bad_text_argument
from services.api.auth import ANONYMOUS
from services.api.client_errors import is_fault
from services.api.document_cache import document_caches
from services.api.errors import ApiError, QueryTooComplexError
from services.api.operation_metrics import OperationMetrics
from services.api.query_cost import operation_cost
from services.api.settings import ApiSettings
from services.patches.strawberry import core_schema


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
