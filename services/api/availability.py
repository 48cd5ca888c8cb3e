"""What the API answers while a dependency is down: 503, Retry-After and an UNAVAILABLE error.

A request that needs PostgreSQL while it is unreachable (the key lookup, a resolver's query)
and a subscription that needs the Kafka feed while it is not live are refused the same way:
over HTTP with status 503, a `Retry-After` header and a GraphQL error body; over a WebSocket
with an `error` message (or close code 1013, "try again later", at `connection_init`).
"""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from graphql import GraphQLError
from starlette.responses import JSONResponse, Response
from strawberry.extensions import SchemaExtension

from services.api import metrics
from services.api.errors import UnavailableError

RETRY_AFTER_SECONDS = 5
# WebSocket close code 1013 "Try Again Later" (RFC 6455 registry): graphql-ws clients reconnect.
TRY_AGAIN_LATER = 1013

# Errors meaning "PostgreSQL cannot be reached now", as opposed to a bad query or a bug.
_DATABASE_DOWN = (
    OSError,  # connection refused or reset
    TimeoutError,  # connect, pool acquire or command timeout
    asyncpg.PostgresConnectionError,  # the connection dropped mid-operation
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)


def database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, _DATABASE_DOWN)


def database_error() -> UnavailableError:
    return UnavailableError(
        f"PostgreSQL is unavailable; retry in {RETRY_AFTER_SECONDS} s",
        dependency="postgres",
        retryAfter=RETRY_AFTER_SECONDS,
    )


def feed_error() -> UnavailableError:
    return UnavailableError(
        f"the live feed (Kafka) is unavailable; retry in {RETRY_AFTER_SECONDS} s",
        dependency="kafka",
        retryAfter=RETRY_AFTER_SECONDS,
    )


def http_response(error: UnavailableError) -> Response:
    """The 503 answer for a request refused before GraphQL execution (e.g. its key lookup)."""
    metrics.UNAVAILABLE.labels(error.dependency).inc()
    return JSONResponse(
        {"data": None, "errors": [error.formatted]},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def mark_unavailable(error: GraphQLError) -> None:
    """Turns an error an unreachable PostgreSQL caused into UNAVAILABLE, in place (called from
    `process_errors`, before errors are coded, logged or masked)."""
    original = error.original_error
    if original is None or not database_unavailable(original):
        return
    unavailable = database_error()
    error.message = unavailable.message
    error.extensions = unavailable.extensions
    error.original_error = unavailable
    metrics.UNAVAILABLE.labels("postgres").inc()


class DependencyErrors(SchemaExtension):
    """Answers an HTTP request whose result carries an UNAVAILABLE error with 503 and
    Retry-After (through the context's `response`)."""

    def on_operation(self) -> Iterator[None]:
        yield
        errors = getattr(self.execution_context.result, "errors", None) or ()
        if any(isinstance(e.original_error, UnavailableError) for e in errors):
            response = getattr(self.execution_context.context, "response", None)
            if isinstance(response, Response):
                response.status_code = 503
                response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
