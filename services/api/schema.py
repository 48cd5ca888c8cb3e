"""The GraphQL schema (foundation: the region registry; issue 5 grows it)."""

from __future__ import annotations

import asyncpg
import strawberry
from strawberry.types import Info


@strawberry.type
class Region:
    id: strawberry.ID
    name: str
    kind: str
    stations: int


@strawberry.type
class Query:
    @strawberry.field(description="Regions of the station registry.")
    async def regions(self, info: Info) -> list[Region]:
        pool: asyncpg.Pool = info.context["pool"]
        rows = await pool.fetch(
            """SELECT r.id, r.name, r.kind, count(s.id) AS stations
               FROM regions r LEFT JOIN stations s ON s.region_id = r.id
               GROUP BY r.id ORDER BY r.id"""
        )
        return [
            Region(id=strawberry.ID(r["id"]), name=r["name"], kind=r["kind"], stations=r["stations"])
            for r in rows
        ]


schema = strawberry.Schema(query=Query)
