"""The webhook signature: what receivers recompute (docs/notify.md)."""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.messenger.notify.signature import sign, verify

BODY = b'{"delivery":"A1:1:sub-1"}'


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign("s3cret", 1700000000, BODY) == f"v1={expected}"


def test_a_fresh_signature_verifies() -> None:
    assert verify("s3cret", "1700000000", BODY, sign("s3cret", 1700000000, BODY), now=1700000010)


def test_another_secret_a_changed_body_or_timestamp_do_not_verify() -> None:
    good = sign("s3cret", 1700000000, BODY)
    assert not verify("other", "1700000000", BODY, good, now=1700000000)
    assert not verify("s3cret", "1700000000", BODY + b" ", good, now=1700000000)
    assert not verify("s3cret", "1700000001", BODY, good, now=1700000000)
    assert not verify("s3cret", "soon", BODY, good, now=1700000000)


def test_an_old_signature_is_a_replay() -> None:
    old = sign("s3cret", 1700000000, BODY)
    assert verify("s3cret", "1700000000", BODY, old, now=1700000300)
    assert not verify("s3cret", "1700000000", BODY, old, now=1700000301)


@given(st.binary(), st.text(min_size=1), st.integers(0, 2**40))
def test_any_body_signed_verifies_with_its_secret(body: bytes, secret: str, at: int) -> None:
    assert verify(secret, str(at), body, sign(secret, at, body), now=at)


def test_the_receivers_check_in_the_docs_verifies_our_signature() -> None:
    doc = (Path(__file__).parents[3] / "docs" / "notify.md").read_text("utf-8")
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(code, scope)  # the example receivers copy, as written
    now = int(time.time())
    headers = {"X-Pollwatch-Timestamp": str(now), "X-Pollwatch-Signature": sign("s3cret", now, BODY)}
    assert scope["verified"]("s3cret", headers, BODY)
    assert not scope["verified"]("s3cret", headers, BODY + b"x")
    assert not scope["verified"]("s3cret", headers | {"X-Pollwatch-Timestamp": str(now - 301)}, BODY)
