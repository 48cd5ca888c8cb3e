"""The shared error hierarchy: what a consumer may skip, what it must retry."""


class PollwatchError(Exception):
    """Base of every error pollwatch raises on purpose."""


class InvalidMessageError(PollwatchError):
    """A message that can never be processed: dead-letter it, commit, go on."""


class DecodeError(InvalidMessageError):
    """Bytes on a topic that are not the topic's message type."""


class SettingsError(PollwatchError):
    """Configuration missing or malformed; the message names the variable."""
