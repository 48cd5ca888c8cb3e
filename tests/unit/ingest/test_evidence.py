"""Evidence uploads: a JPEG or PNG by its first bytes, the declared type agreeing, named by SHA-256."""

from __future__ import annotations

import hashlib

import pytest

from services.ingest.evidence import EvidenceError, photo

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def test_a_jpeg_and_a_png_are_named_by_the_sha256_of_their_bytes() -> None:
    taken = photo(JPEG, "image/jpeg")
    assert (taken.id, taken.media_type, taken.content) == (
        hashlib.sha256(JPEG).hexdigest(),
        "image/jpeg",
        JPEG,
    )
    assert photo(PNG, "image/png; charset=binary").media_type == "image/png"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code", "field"),
    [
        (JPEG, "application/octet-stream", 415, "unsupported", "content-type"),
        (JPEG, "", 415, "unsupported", "content-type"),
        (b"", "image/jpeg", 400, "empty", "body"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/jpeg", 415, "not_a_photo", "body"),
        (b"GIF89a" + b"\x00" * 10, "image/png", 415, "not_a_photo", "body"),
        (PNG, "image/jpeg", 415, "type_mismatch", "content-type"),
    ],
)
def test_anything_else_is_refused_naming_why(
    content: bytes, content_type: str, status: int, code: str, field: str
) -> None:
    with pytest.raises(EvidenceError) as refused:
        photo(content, content_type)
    assert (refused.value.status, refused.value.code, refused.value.field) == (status, code, field)
