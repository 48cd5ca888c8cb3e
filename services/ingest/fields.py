"""Reading typed fields out of an untrusted JSON object, collecting every problem with its path."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.ingest.characters import clean

# No polling station comes near this; larger numbers are typing mistakes or junk.
MAX_COUNT = 1_000_000
MAX_LISTED = 10  # unknown fields named one by one


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem: `field` is a dotted path ("turnout.ballots_issued"), `code` machine-readable."""

    field: str
    code: str
    message: str

    def under(self, prefix: str) -> FieldError:
        """The same error with its path below `prefix` (e.g. "reports[3]")."""
        return FieldError(f"{prefix}.{self.field}" if self.field else prefix, self.code, self.message)


_MISSING = object()


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class Fields:
    """A JSON object being read; each accessor records an error instead of raising."""

    def __init__(self, obj: Mapping[str, Any], path: str, errors: list[FieldError]) -> None:
        self.obj = obj
        self.path = path
        self.errors = errors

    def at(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, code: str, message: str) -> None:
        self.errors.append(FieldError(self.at(name), code, message))

    def reject_unknown(self, allowed: tuple[str, ...]) -> None:
        """One error per unknown field, the first MAX_LISTED of them (the answer stays small)."""
        unknown = 0
        for key in self.obj:
            if key not in allowed:
                unknown += 1
                if unknown <= MAX_LISTED:
                    expected = ", ".join(allowed)
                    self.fail(str(key), "unknown_field", f"unknown field; expected one of: {expected}")
        if unknown > MAX_LISTED:
            more = f"{unknown - MAX_LISTED} more unknown fields not listed"
            self.errors.append(FieldError(self.path, "unknown_field", more))

    def raw(self, name: str, required: bool) -> Any:
        value = self.obj.get(name, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(name, "required", "is required")
            return _MISSING
        return value

    def string(
        self, name: str, *, required: bool = True, max_len: int = 4000, default: str = ""
    ) -> str | None:
        value = self.raw(name, required)
        if value is _MISSING:
            return None if required else default
        if not isinstance(value, str):
            self.fail(name, "not_a_string", f"must be a string, got {type_name(value)}")
            return None
        if len(value) > max_len:
            self.fail(name, "too_long", f"must be at most {max_len} characters, got {len(value)}")
            return None
        return value

    def text(self, name: str, *, max_len: int) -> str | None:
        """Optional free text, without the characters `characters.clean` removes."""
        value = self.string(name, required=False, max_len=max_len)
        return None if value is None else clean(value)

    def boolean(self, name: str, *, required: bool = True) -> bool | None:
        value = self.raw(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, bool):
            self.fail(name, "not_a_boolean", f"must be true or false, got {type_name(value)}")
            return None
        return value

    def count(self, name: str, *, required: bool = True) -> int | None:
        value = self.raw(name, required)
        if value is _MISSING:
            return None if required else 0
        return check_count(value, self.at(name), self.errors)

    def obj_field(self, name: str, *, required: bool = True) -> Fields | None:
        value = self.raw(name, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.fail(name, "not_an_object", f"must be an object, got {type_name(value)}")
            return None
        return Fields(value, self.at(name), self.errors)


def check_count(value: object, path: str, errors: list[FieldError]) -> int | None:
    """A whole number of ballots or voters: 0 ≤ n ≤ MAX_COUNT."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(FieldError(path, "not_an_integer", f"must be a whole number, got {type_name(value)}"))
        return None
    if value < 0:
        errors.append(FieldError(path, "negative", f"must not be negative, got {value}"))
        return None
    if value > MAX_COUNT:
        errors.append(
            FieldError(
                path, "impossible", f"{value} is more than any polling station could count ({MAX_COUNT})"
            )
        )
        return None
    return value
