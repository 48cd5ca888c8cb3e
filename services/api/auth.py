"""API keys and roles: key format, hashing, constant-time checks, what each role may read.

A key reads `pw_<id>_<secret>`: the id finds the row, the secret's SHA-256 is compared in
constant time with the stored hash. The secret is 256-bit random, so a slow hash buys nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from services.api.errors import UnauthenticatedError

PREFIX = "pw"


class Role(StrEnum):
    """Roles in increasing order of access; each includes what the ones before it may read."""

    PUBLIC = "public"  # region and national aggregates only
    PARTNER = "partner"  # + station-level stats and alerts (no monitor identities)
    ANALYST = "analyst"  # + reports, monitors' ids, incident texts, alert history
    COORDINATOR = "coordinator"  # + monitors' identities, messages to monitors, phone swaps
    ADMIN = "admin"  # + alert actions, monitor imports and keys

    @property
    def rank(self) -> int:
        return _RANK[self]

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANK = {Role.PUBLIC: 0, Role.PARTNER: 1, Role.ANALYST: 2, Role.COORDINATOR: 3, Role.ADMIN: 4}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: the key's id (empty for anonymous), role, organisation and scope.

    `regions` None reads every region; a set limits every query and subscription to them.
    """

    key_id: str
    role: Role
    org: str
    incident_texts: bool = False
    regions: frozenset[str] | None = None
    # A key's setting: partners (and public keys) read only items a coordinator verified.
    verified_only: bool = False

    @property
    def may_read_incident_texts(self) -> bool:
        return self.role.includes(Role.ANALYST) or (self.role is Role.PARTNER and self.incident_texts)

    @property
    def visible_verifications(self) -> tuple[str, ...] | None:
        """The verification states of reports and alerts this key reads; None: all. Below
        analyst, rejected and quarantined items are held back, and all but verified ones when
        the key is set to verified only."""
        if self.role.includes(Role.ANALYST):
            return None
        return ("verified",) if self.verified_only else ("unverified", "verified")

    def may_read_region(self, region_id: str) -> bool:
        return self.regions is None or region_id in self.regions


ANONYMOUS = Principal(key_id="", role=Role.PUBLIC, org="")


@dataclass(frozen=True, slots=True)
class NewKey:
    id: str
    secret: str

    @property
    def token(self) -> str:
        return f"{PREFIX}_{self.id}_{self.secret}"


def generate_key() -> NewKey:
    return NewKey(id=secrets.token_hex(6), secret=secrets.token_urlsafe(32))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# An id is hex, a secret URL-safe base64: anything else (a NUL, a surrogate, a megabyte) is
# refused here rather than sent to PostgreSQL.
_KEY = re.compile(rf"{PREFIX}_([0-9a-f]{{1,32}})_([A-Za-z0-9_-]{{1,128}})")


def parse_key(token: str) -> tuple[str, str]:
    """Splits a presented key into (id, secret) or raises UnauthenticatedError."""
    match = _KEY.fullmatch(token.strip())
    if match is None:
        raise UnauthenticatedError("malformed API key")
    return match[1], match[2]


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def key_from_headers(headers: dict[str, str]) -> str | None:
    """The key from `X-API-Key` or `Authorization: Bearer ...` (lower-cased header names)."""
    if key := headers.get("x-api-key"):
        return key
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None
