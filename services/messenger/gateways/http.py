"""Sending one HTTP request to a gateway and telling what its failure means for a resend."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx

from services.messenger.gateways.base import Outcome, Retry, Unknown

# Failures before a byte of the request could have reached the gateway: it has nothing.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def closed_at_connect(exc: AttributeError) -> bool:
    """Whether `exc` is httpcore 1.0 on anyio 4 meeting a connection reset as it opened: it asks
    the closed socket for its peer (AttributeError on None) before writing any of the request."""
    return "getpeername" in str(exc)


async def post(client: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response | Outcome:
    """The gateway's response, or the outcome of a request that got none."""
    try:
        return await client.post(url, **kwargs)
    except _NOT_SENT as exc:
        return Retry(f"gateway unreachable ({exc.__class__.__name__})")
    except AttributeError as exc:
        if not closed_at_connect(exc):
            raise
        return Retry("gateway unreachable (connection reset as it opened)")
    except httpx.TransportError as exc:
        # Sent, maybe whole, and no answer: the gateway may have taken it.
        return Unknown(f"no answer from the gateway ({exc.__class__.__name__})")


def retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def not_taken(response: httpx.Response) -> Retry | None:
    """A response that says the message was not taken and may be sent again later: too many
    requests, the gateway failing, or our credentials refused (a configuration error that
    someone will fix; meanwhile the deliveries wait rather than fail)."""
    code = response.status_code
    if code == 429:
        return Retry("gateway rate limit (429)", retry_after(response))
    if code >= 500:
        return Retry(f"gateway error ({code})", retry_after(response))
    if code in (401, 403):
        return Retry(f"gateway refused our credentials ({code})")
    return None


def json_object(response: httpx.Response) -> dict[str, object]:
    """The response's JSON object, or {} (a gateway's error page is often HTML)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def form_fields(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body's fields (the first value of each)."""
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return {}
    return {k: v[0] for k, v in parsed.items()}
