"""Schema extensions: query depth, token and alias limits, error masking, operation metrics."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from graphql import GraphQLError
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
from services.api.document_cache import document_caches
from services.api.errors import ApiError


class OperationMetrics(SchemaExtension):
    """Counts operations by name and outcome."""

    def on_operation(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        name = ctx.operation_name or "anonymous"
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


def _unexpected(error: GraphQLError) -> bool:
    """Mask errors raised by bugs or infrastructure; keep validation and ApiError messages."""
    original = error.original_error
    return original is not None and not isinstance(original, ApiError | GraphQLError)


def extensions(
    max_depth: int, max_tokens: int, max_aliases: int, production: bool
) -> list[Callable[[], SchemaExtension]]:
    exts: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
        lambda: QueryDepthLimiter(max_depth=max_depth),
        OperationMetrics,
        *document_caches(),
    ]
    if production:
        exts.append(lambda: MaskErrors(should_mask_error=_unexpected, error_message="Internal error."))
    return exts
