"""Evidence photos: what an upload must be (a JPEG or PNG by its first bytes) and the id it gets.

Pure. The id is the SHA-256 of the bytes as received, so the same photo sent twice (a retry after
a lost answer) is one photo with one id, and a report can name its photos before they are stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from services.ingest.errors import IngestError
from services.ingest.payload import media_type

# What the file starts with decides its type; the declared Content-Type must agree.
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


class EvidenceError(IngestError):
    """An upload that is not a photo pollwatch keeps; `status`, `code` and `field` as in PayloadError."""

    def __init__(self, message: str, status: int, code: str, field: str = "body") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field


@dataclass(frozen=True, slots=True)
class Photo:
    id: str  # SHA-256 of `content`, 64 lower-case hex digits
    media_type: str
    content: bytes


def sniffed_type(content: bytes) -> str | None:
    return next((kind for kind, magic in MAGIC.items() if content.startswith(magic)), None)


def photo(content: bytes, content_type: str) -> Photo:
    """The upload as a Photo, or EvidenceError naming what is wrong."""
    declared, _ = media_type(content_type)
    accepted = ", ".join(MAGIC)
    if declared not in MAGIC:
        message = f"content type {declared or '(none)'!r} is not a photo; send {accepted}"
        raise EvidenceError(message, 415, "unsupported", "content-type")
    if not content:
        raise EvidenceError("the photo is empty", 400, "empty")
    found = sniffed_type(content)
    if found is None:
        raise EvidenceError(f"the body is not a JPEG or PNG image ({accepted})", 415, "not_a_photo")
    if found != declared:
        raise EvidenceError(
            f"declared {declared} but the body is {found}", 415, "type_mismatch", "content-type"
        )
    return Photo(hashlib.sha256(content).hexdigest(), found, content)
