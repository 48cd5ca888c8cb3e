"""The GraphQL schema: queries, ops mutations and live subscriptions, with the limits applied."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext
from strawberry.utils.logging import StrawberryLogger

from services import patches
from services.api.availability import DependencyErrors, mark_unavailable
from services.api.client_errors import add_code, is_fault, log_client_error
from services.api.mutation import Mutation
from services.api.operation_metrics import time_root_fields
from services.api.query import Query
from services.api.schema_extensions import extensions
from services.api.settings import ApiSettings
from services.api.shared_execution import SharingExecutor
from services.api.subscription import Subscription


class PollwatchSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Codes and logs every error once, before production masking: client errors at INFO
        in one line, faults at ERROR with their traceback (strawberry's own logger)."""
        document = None if execution_context is None else execution_context.graphql_document
        previous: GraphQLError | None = None
        for error in errors:
            mark_unavailable(error)
            if is_fault(error):
                StrawberryLogger.error(error, execution_context)
            else:
                add_code(error, document, previous)
                log_client_error(error)
            previous = error


def build_schema(settings: ApiSettings | None = None) -> strawberry.Schema:
    s = settings or ApiSettings()
    time_root_fields(Query, Mutation)
    return PollwatchSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Patch `strawberry.shared_execution` (services/patches/strawberry.py); None: strawberry's.
        execution_context_class=SharingExecutor if patches.enabled("strawberry.shared_execution") else None,
        extensions=[*extensions(s), DependencyErrors],
    )
