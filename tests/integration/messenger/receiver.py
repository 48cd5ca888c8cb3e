"""A webhook receiver as partners would write one: it verifies each request's signature, takes
each delivery once by its X-Pollwatch-Delivery id, and can be told to fail its first requests."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.messenger.notify.signature import verify


@dataclass
class Receiver:
    secret: str = ""
    fail_first: int = 0  # answer 503 to this many requests first
    delay_seconds: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)  # by delivery id
    taken: dict[str, dict[str, object]] = field(default_factory=dict)  # the effect: once per id
    forged: int = 0

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            if not verify(
                self.secret,
                request.headers.get("X-Pollwatch-Timestamp", ""),
                body,
                request.headers.get("X-Pollwatch-Signature", ""),
                now=time.time(),
            ):
                self.forged += 1
                return Response(status_code=401)
            delivery = request.headers["X-Pollwatch-Delivery"]
            self.requests[delivery] += 1
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            if sum(self.requests.values()) <= self.fail_first:
                return Response(status_code=503)
            self.taken.setdefault(delivery, orjson.loads(body))
            return Response(status_code=204)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])
