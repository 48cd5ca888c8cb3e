"""The GraphQL schema: queries, ops mutations and live subscriptions, with the limits applied."""

from __future__ import annotations

import strawberry

from services.api.limits import extensions, time_root_fields
from services.api.mutation import Mutation
from services.api.query import Query
from services.api.settings import ApiSettings
from services.api.shared_execution import SharingExecutor
from services.api.subscription import Subscription


def build_schema(settings: ApiSettings | None = None) -> strawberry.Schema:
    s = settings or ApiSettings()
    time_root_fields(Query, Mutation)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=SharingExecutor,
        extensions=extensions(s.max_depth, s.max_tokens, s.max_aliases, s.production),
    )
