"""The `auditLog` query (admin): the audit log, newest first, filtered, in keyset pages."""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.api.arguments import instant
from services.api.auth import Role
from services.api.context import Info
from services.api.pagination import Cursor, decode_cursor, page_size
from services.api.repository.audit import AuditFilter, page_audit
from services.api.types.audit import AuditEntry
from services.api.types.pagination import Connection, PageInfo


async def resolve_audit_log(
    info: Info,
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[AuditEntry]:
    info.context.require(Role.ADMIN, "auditLog")
    s = info.context.settings
    limit = page_size(first, s.page_default, s.page_max)
    cursor = decode_cursor(after, "audit")
    wanted = AuditFilter(actor, action, subject, instant(since, "since"), instant(until, "until"))
    before = cursor.value if cursor is not None and isinstance(cursor.value, int) else None
    rows = await page_audit(info.context.pool, wanted, before, limit)
    page = rows[:limit]
    end = Cursor("audit", page[-1]["id"], str(page[-1]["id"])).encode() if page else None
    return Connection(
        nodes=[AuditEntry.from_row(r) for r in page],
        page_info=PageInfo(end_cursor=end, has_next_page=len(rows) > limit),
    )


audit_log_field = strawberry.field(
    resolver=resolve_audit_log,
    description=(
        "Every action by a person (admin): verifications, alert acknowledgements and resolutions, "
        "keys created and revoked, monitors added, revoked and moved, settings changed; newest first. "
        "Filters: exact actor, action and subject; `since` inclusive, `until` exclusive."
    ),
)
