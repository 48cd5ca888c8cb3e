"""Schema extensions: query depth, token and alias limits, error masking, operation metrics."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from services.api import metrics
from services.api.errors import ApiError


class OperationMetrics(SchemaExtension):
    """Counts operations by name and outcome and times root resolvers."""

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

    async def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any
    ) -> Any:
        if info.path.prev is not None:
            return await _await(_next(root, info, *args, **kwargs))
        start = time.perf_counter()
        try:
            return await _await(_next(root, info, *args, **kwargs))
        finally:
            metrics.RESOLVER_SECONDS.labels(info.field_name).observe(time.perf_counter() - start)


async def _await(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value


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
    ]
    if production:
        exts.append(lambda: MaskErrors(should_mask_error=_unexpected, error_message="Internal error."))
    return exts
