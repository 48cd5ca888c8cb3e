"""Monitors' bearer tokens: 256 random bits, shown once, stored only as their SHA-256.

Tokens are random, not chosen by people, so a fast hash is enough (no dictionary to try)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "pw_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login_link(ingest_url: str, token: str) -> str:
    """The monitor app's login link: the token rides in the fragment, which browsers never send
    to a server (nor write to its access log)."""
    return f"{ingest_url.rstrip('/')}/m/#t={token}"
