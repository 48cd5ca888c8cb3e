"""Errors raised by the forensics package."""

from services.common.infra.errors import PollwatchError


class ForensicsError(PollwatchError):
    """Base of every error the forensics package raises on purpose."""


class ProtocolsError(ForensicsError):
    """Columnar protocol arrays that are inconsistent (lengths, negative counts)."""


class DatasetError(ForensicsError):
    """A data file that cannot be read as protocols; the message says which column."""


class NotComputableError(ForensicsError):
    """The data lacks what a method needs (e.g. candidate votes for a fingerprint)."""
