"""The election's contestants as the ballot prints them (INGEST_CONTESTANTS_FILE), for the protocol form.

A CSV with the columns `code` and `name` (header required). Codes become the keys of a protocol's
`votes`, so they follow the same rules as those keys (validation.py); every problem names its line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from services.common.infra.errors import SettingsError
from services.ingest.characters import control_character
from services.ingest.validation import MAX_NAME_CHARS, MAX_PARTIES


@dataclass(frozen=True, slots=True)
class Contestant:
    code: str
    name: str


def parse_contestants(text: str) -> tuple[Contestant, ...]:
    """Raises SettingsError listing every problem with its line."""
    rows = csv.DictReader(text.splitlines())
    if rows.fieldnames is None or not {"code", "name"} <= {f.strip() for f in rows.fieldnames}:
        raise SettingsError("the contestants file needs a header with the columns code,name")
    found: list[Contestant] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        code, name = clean.get("code", ""), clean.get("name", "")
        if not 1 <= len(code) <= MAX_NAME_CHARS or control_character(code):
            problems.append(f"line {line}: code must be 1-{MAX_NAME_CHARS} printable characters")
        elif code in seen:
            problems.append(f"line {line}: code {code!r} is listed twice")
        elif len(name) > MAX_NAME_CHARS or control_character(name):
            problems.append(f"line {line}: name must be at most {MAX_NAME_CHARS} printable characters")
        else:
            seen.add(code)
            found.append(Contestant(code, name or code))
    if len(found) > MAX_PARTIES:
        problems.append(
            f"at most {MAX_PARTIES} contestants (a protocol's votes hold no more), got {len(found)}"
        )
    if problems:
        raise SettingsError("contestants file: " + "; ".join(problems))
    return tuple(found)


def load_contestants(path: Path | None) -> tuple[Contestant, ...]:
    """None: no list (monitors type codes on the form)."""
    if path is None:
        return ()
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise SettingsError(f"INGEST_CONTESTANTS_FILE {path}: {exc.strerror}") from None
    return parse_contestants(text)
