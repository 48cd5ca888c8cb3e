"""Characters ingest does not keep: control characters, which no phone keyboard types.

PostgreSQL's text and jsonb cannot hold U+0000 at all (one such report stopped the
aggregator's writes), and the other controls, invisible in every display, are noise from a
buggy app or a gateway's mis-decoding (GSM 7-bit's "@" is byte 0). Surrogates cannot be
encoded (JSON and protobuf decoding refuse them already); U+FFFE and U+FFFF are no
characters, and XML (Twilio's replies) allows neither them nor most controls.

- Free text (a checklist note, an incident description; the SMS forms included) is
  *cleaned*: those characters are removed, tab, line feed and carriage return kept, and
  the report is accepted. A monitor cannot see, let alone fix, what was removed.
- Codes and names (party or candidate codes, evidence links) are *refused* with
  `control_character`, naming the field: what identifies something is not changed behind
  the sender's back. Ids, station ids, checklist items and phases are refused already by
  their patterns or lists.
"""

from __future__ import annotations

import re

_UNKEPT = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_IN_FREE_TEXT = re.compile(f"[{_UNKEPT}]")
_IN_CODES = re.compile(f"[{_UNKEPT}\t\n\r]")


def clean(text: str) -> str:
    """`text` without the characters free text does not keep."""
    return _IN_FREE_TEXT.sub("", text)


def control_character(code: str) -> str | None:
    """The first character a code may not hold (also tab and new lines), as U+XXXX; or None."""
    found = _IN_CODES.search(code)
    return None if found is None else f"U+{ord(found.group()):04X}"
