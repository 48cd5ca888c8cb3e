"""The API's errors: each says what was refused and why; none of them is masked in production."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


class ApiError(GraphQLError):
    """An expected failure the client should see as is; `code` lands in the error's extensions."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class UnauthenticatedError(ApiError):
    code = "UNAUTHENTICATED"


class ForbiddenError(ApiError):
    code = "FORBIDDEN"


class NotFoundError(ApiError):
    code = "NOT_FOUND"


class InvalidArgumentError(ApiError):
    code = "INVALID_ARGUMENT"


class RateLimitedError(ApiError):
    code = "RATE_LIMITED"


class QueryTooComplexError(ApiError):
    """The operation would cost more than the caller's role may spend on one operation."""

    code = "QUERY_TOO_COMPLEX"


class SubscriberOverflowError(ApiError):
    """A subscriber fell too far behind on a non-conflated stream; it must re-query and resubscribe."""

    code = "SUBSCRIBER_OVERFLOW"
