"""API keys: create, look up, revoke, list (hashes only are stored)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def insert_key(
    conn: asyncpg.Pool | asyncpg.Connection,
    key_id: str,
    key_hash: str,
    role: str,
    org: str,
    incident_texts: bool,
    regions: Sequence[str] | None = None,
) -> None:
    """`regions` None: every region; else the only regions the key reads."""
    await conn.execute(
        """INSERT INTO api_keys (id, key_hash, role, org, incident_texts, regions)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        key_id,
        key_hash,
        role,
        org,
        incident_texts,
        None if regions is None else sorted(set(regions)),
    )


async def key_by_id(conn: asyncpg.Pool | asyncpg.Connection, key_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT id, key_hash, role, org, incident_texts, regions, verified_only, created_at, revoked_at
           FROM api_keys WHERE id = $1""",
        key_id,
    )


async def unknown_regions(conn: asyncpg.Pool | asyncpg.Connection, ids: Sequence[str]) -> list[str]:
    """Those of `ids` the registry has no region for."""
    known = {
        r["id"] for r in await conn.fetch("SELECT id FROM regions WHERE id = ANY($1::text[])", list(ids))
    }
    return sorted(set(ids) - known)


async def revoke_key(conn: asyncpg.Pool | asyncpg.Connection, key_id: str) -> bool:
    """True when the key existed and was active."""
    status = await conn.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", key_id
    )
    return bool(status == "UPDATE 1")


async def list_keys(conn: asyncpg.Pool | asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT id, role, org, incident_texts, regions, verified_only, created_at, revoked_at
           FROM api_keys ORDER BY created_at, id"""
    )


async def set_verified_only(conn: asyncpg.Connection, key_id: str, verified_only: bool) -> bool | None:
    """Sets the key's setting; returns its previous value (None: no active key)."""
    previous: bool | None = await conn.fetchval(
        """UPDATE api_keys k SET verified_only = $2 FROM api_keys old
           WHERE k.id = $1 AND old.id = k.id AND k.revoked_at IS NULL RETURNING old.verified_only""",
        key_id,
        verified_only,
    )
    return previous
