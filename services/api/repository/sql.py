"""A WHERE clause built from parametrised conditions: values never enter the SQL text."""

from __future__ import annotations

from typing import Any


class Where:
    """Collects `conditions` with `$n` placeholders and the matching `params`."""

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def param(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def add(self, condition: str, *values: Any) -> None:
        """`condition` uses `{}` where each value goes, e.g. add("s.region_id = {}", region)."""
        self.conditions.append(condition.format(*(self.param(v) for v in values)))

    def sql(self) -> str:
        return ("WHERE " + " AND ".join(self.conditions)) if self.conditions else ""
