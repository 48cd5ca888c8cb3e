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


class ConflictError(ApiError):
    """The thing asked for is held by someone else (a review item another coordinator claimed)."""

    code = "CONFLICT"


class RateLimitedError(ApiError):
    code = "RATE_LIMITED"


class QueryTooComplexError(ApiError):
    """The operation would cost more than the caller's role may spend on one operation."""

    code = "QUERY_TOO_COMPLEX"


class UnavailableError(ApiError):
    """A dependency the request needs (PostgreSQL, the Kafka feed) is down: retry after a while.

    HTTP answers 503 with Retry-After; extensions name the `dependency` and `retryAfter` seconds.
    """

    code = "UNAVAILABLE"

    @property
    def dependency(self) -> str:
        return str((self.extensions or {}).get("dependency", ""))


class SubscriberOverflowError(ApiError):
    """A subscriber fell too far behind on a non-conflated stream; it must re-query and resubscribe."""

    code = "SUBSCRIBER_OVERFLOW"
