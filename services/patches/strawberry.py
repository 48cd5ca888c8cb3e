"""strawberry's private parts (written for strawberry-graphql 0.341; services/patches/registry.py).

- `strawberry.direct_frames`: live updates sent straight to the socket as preformatted
  graphql-transport-ws frames (services/api/live/frames.py). It needs graphql-core's resolve
  info behind strawberry's `Info` (`raw_info`: `_raw_info`, for the operation's fragments and
  coerced variables) and strawberry's per-operation task (`BaseGraphQLTransportWSHandler
  .run_operation`, services/api/live/transport.py). Off: every event goes through graphql-core.
- `strawberry.shared_execution`: subscription events executed once per event and key
  (services/api/shared_execution.py), a subclass of strawberry's graphql-core execution context
  reading its coerced variables. Off: strawberry's own execution context.
- `strawberry.core_schema`: the graphql-core schema strawberry built (`Schema._schema`), which
  the limits read (services/api/schema_extensions.py). Off: the same schema built once from strawberry's
  SDL (types, fields and arguments are all the limits read).

tests/unit/api (test_live_frames.py, test_limits.py) and tests/integration/api/test_subscriptions.py.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLSchema, build_schema

from services import patches

_FROM_SDL: dict[int, tuple[strawberry.Schema, GraphQLSchema]] = {}


def raw_info(info: Any) -> Any:
    """graphql-core's resolve info (`GraphQLResolveInfo`) behind a strawberry `Info`."""
    return info._raw_info


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema of a strawberry schema (its own, or one built from its SDL)."""
    if patches.enabled("strawberry.core_schema"):
        core: GraphQLSchema = schema._schema
        return core
    found = _FROM_SDL.get(id(schema))
    if found is None or found[0] is not schema:
        found = _FROM_SDL[id(schema)] = (schema, build_schema(schema.as_str()))
    return found[1]
