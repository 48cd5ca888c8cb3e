"""The audit log: who did what to whom, and when (append-only table `audit_log`).

`actor` says who acted: `cli:<user>` on the command line, `api:<org>:<key id>` through the API.
Actions are `<thing>.<past participle>`: alert.acknowledged, key.created, monitor.revoked, ...
Details must not hold secrets in clear: phones are masked (services.common.monitors.phones.mask),
tokens never appear.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping

import asyncpg
import orjson

from services.common.infra.db import Conn


def cli_actor() -> str:
    """The person at the command line, as the operating system knows them."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        return "cli:unknown"


def api_actor(key_id: str, org: str) -> str:
    return f"api:{org}:{key_id}"


async def record(
    conn: Conn | asyncpg.Pool,
    actor: str,
    action: str,
    subject: str = "",
    details: Mapping[str, object] | None = None,
) -> None:
    """Appends one entry; inside the caller's transaction when `conn` is in one."""
    await conn.execute(
        "INSERT INTO audit_log (actor, action, subject, details) VALUES ($1, $2, $3, $4::jsonb)",
        actor,
        action,
        subject,
        orjson.dumps(details or {}).decode(),
    )
