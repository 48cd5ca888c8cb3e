"""Ingest's errors: what a client can fix, what it should retry."""

from __future__ import annotations

from services.common.infra.errors import PollwatchError


class IngestError(PollwatchError):
    """Base of ingest's own errors."""


class PayloadError(IngestError):
    """The request body as a whole is unusable (not JSON, not a report batch, too many reports);
    `field` names the part at fault (`body`, `reports`, `content-type`)."""

    def __init__(self, message: str, status: int = 400, code: str = "malformed", field: str = "body") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field


class UnavailableError(IngestError):
    """Kafka or PostgreSQL did not answer in time: retry later; nothing was acknowledged."""
