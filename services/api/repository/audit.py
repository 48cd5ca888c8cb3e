"""Reading the audit log (admins only): newest first, filtered, in keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.api.repository.sql import Where


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Each set field narrows the entries: exact actor, action and subject, a time range."""

    actor: str | None = None
    action: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def page_audit(
    pool: asyncpg.Pool, wanted: AuditFilter, before_id: int | None, limit: int
) -> list[asyncpg.Record]:
    """Up to `limit` + 1 entries, newest first; `before_id` continues after a page's last entry."""
    where = Where()
    for column, value in (("actor", wanted.actor), ("action", wanted.action), ("subject", wanted.subject)):
        if value is not None:
            where.add(f"{column} = {{}}", value)
    if wanted.since is not None:
        where.add("at >= {}", wanted.since)
    if wanted.until is not None:
        where.add("at < {}", wanted.until)
    if before_id is not None:
        where.add("id < {}", before_id)
    limit_param = where.param(limit + 1)
    sql = (
        "SELECT id, at, actor, action, subject, details FROM audit_log "
        f"{where.sql()} ORDER BY id DESC LIMIT {limit_param}"
    )
    return await pool.fetch(sql, *where.params)
