"""Client errors and faults: what each GraphQL error is, its code, and how it is logged.

A client error (a refused key or field, a bad argument, an invalid document, a limit) is the
caller's to fix: it carries a code (and, for an argument, its name) and is logged at INFO in
one line. Anything else is a fault: logged at ERROR with its traceback, so faults stand out.
"""

from __future__ import annotations

import logging

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLSyntaxError,
    ListValueNode,
    Node,
    ObjectValueNode,
    VariableDefinitionNode,
    VariableNode,
)

from services.api.arguments import arguments
from services.api.errors import ApiError

log = logging.getLogger("services.api.client_errors")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INVALID_ARGUMENT = "INVALID_ARGUMENT"


def is_fault(error: GraphQLError) -> bool:
    """True for errors raised by bugs or infrastructure (masked in production)."""
    original = error.original_error
    return original is not None and not isinstance(original, ApiError | GraphQLError)


def _contains(value: Node, target: Node) -> bool:
    if value is target:
        return True
    if isinstance(value, ListValueNode):
        return any(_contains(v, target) for v in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_contains(f.value, target) for f in value.fields)
    return False


def _argument_of(error: GraphQLError, document: DocumentNode | None) -> dict[str, str] | None:
    """The argument (and variable) an error's node points at, if it points at one."""
    if document is None or not error.nodes:
        return None
    node = error.nodes[0]
    if isinstance(node, ArgumentNode):
        return {"argument": node.name.value}
    variable = node.variable.name.value if isinstance(node, VariableDefinitionNode) else None
    for argument in arguments(document):
        value = argument.value
        if variable is not None:
            if isinstance(value, VariableNode) and value.name.value == variable:
                return {"argument": argument.name.value, "variable": variable}
        elif _contains(value, node):
            return {"argument": argument.name.value}
    return None if variable is None else {"argument": variable, "variable": variable}


# graphql-core's closing error once a variable's value has 50 errors; it names no node.
_ERROR_LIMIT = "Too many errors processing variables"


def add_code(
    error: GraphQLError, document: DocumentNode | None, previous: GraphQLError | None = None
) -> None:
    """Gives graphql-core's own request errors (syntax, validation, variable values) a code.

    `previous` is the error before this one: the error-limit error is about the same argument.
    """
    extensions = error.extensions if error.extensions is not None else {}
    if "code" in extensions or is_fault(error):
        return
    if isinstance(error, GraphQLSyntaxError):
        error.extensions = {**extensions, "code": PARSE_FAILED}
    elif error.message.startswith(_ERROR_LIMIT) and previous is not None and previous.extensions:
        error.extensions = {**extensions, **previous.extensions}
    elif (argument := _argument_of(error, document)) is not None:
        error.extensions = {**extensions, "code": INVALID_ARGUMENT, **argument}
    else:
        error.extensions = {**extensions, "code": VALIDATION_FAILED}


def log_client_error(error: GraphQLError) -> None:
    code = (error.extensions or {}).get("code", "")
    path = ".".join(str(p) for p in error.path) if error.path else "-"
    message = error.message.split("\n", 1)[0]
    # graphql-core quotes the refused value: a client's megabyte must not become a log line.
    log.info("client error %s at %s: %s", code, path, message[:300] + ("..." if len(message) > 300 else ""))
