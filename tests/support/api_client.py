"""A small GraphQL client for tests, and API keys made by the real `pollwatch keys` command."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx

from services.common.infra.settings import SharedSettings
from tests.support.processes import service_env


def create_api_key(shared: SharedSettings, role: str, org: str = "tests", *extra: str) -> str:
    """Runs `pollwatch keys create` against `shared`'s database; returns the printed key."""
    result = subprocess.run(
        [sys.executable, "-m", "services", "keys", "create", "--role", role, "--org", org, *extra],
        env=service_env(shared),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()[0].strip()


def graphql(url: str, key: str, query: str, **variables: Any) -> dict[str, Any]:
    """POSTs a query; raises if the answer carries errors."""
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"X-API-Key": key},
        timeout=30,
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise AssertionError(f"GraphQL errors: {body['errors']}")
    return body["data"]  # type: ignore[no-any-return]
