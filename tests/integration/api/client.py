"""A small GraphQL client over HTTP and graphql-transport-ws for the tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect


async def gql(
    url: str, query: str, key: str | None, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POSTs the query; returns the JSON body (asserting HTTP 200).

    The body is encoded with `json` (ASCII escapes), so any Python text can be sent, unpaired
    surrogates included, as a client writing JSON by hand could.
    """
    headers = {"content-type": "application/json"} | ({"X-API-Key": key} if key else {})
    content = json.dumps({"query": query, "variables": variables})
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{url}/graphql", content=content, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def post(url: str, query: str, key: str | None) -> httpx.Response:
    headers = {"X-API-Key": key} if key else {}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(f"{url}/graphql", json={"query": query}, headers=headers)


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


class WsClient:
    """One graphql-transport-ws connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, url: str, key: str | None) -> WsClient:
        ws = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        client = cls(ws)
        await client.send({"type": "connection_init", "payload": {"apiKey": key} if key else {}})
        return client

    async def ack(self) -> dict[str, Any]:
        message = await self.receive()
        assert message["type"] == "connection_ack", message
        return message

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))  # ASCII escapes: any text, surrogates too

    async def receive(self, wait: float = 20) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), wait)
        message: dict[str, Any] = orjson.loads(raw)
        return message

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        await self.send(
            {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
        )

    async def close(self) -> None:
        await self.ws.close()
