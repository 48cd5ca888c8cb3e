"""The patches, the versions each was written against, and which of them run in this process."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata

from services.common.infra.errors import SettingsError
from services.patches.settings import PatchSettings

log = logging.getLogger(__name__)


class PatchError(SettingsError):
    """A patch setting names no patch, or switches off one that has no stock path."""


class PatchVersionError(PatchError):
    """A patch without a stock path meets a library version it was not written for."""


def _parse(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


@dataclass(frozen=True, slots=True)
class Range:
    """`distribution` from `low` (included) to `high` (excluded), as pyproject.toml bounds it."""

    distribution: str
    low: str
    high: str

    def contains(self, version: str | None) -> bool:
        return version is not None and _parse(self.low) <= _parse(version) < _parse(self.high)

    def __str__(self) -> str:
        return f"{self.distribution}>={self.low},<{self.high}"


@dataclass(frozen=True, slots=True)
class Patch:
    name: str  # "<library>.<patch>", the library's module in this package
    needs: tuple[Range, ...]
    what: str
    stock: str | None  # what runs when it is off; None: there is no stock path

    @property
    def library(self) -> str:
        return self.name.split(".", 1)[0]


FAUST = Range("faust-streaming", "0.15", "0.16")
AIOKAFKA = Range("aiokafka", "0.12", "0.15")
UVICORN = Range("uvicorn", "0.54", "0.55")
STRAWBERRY = Range("strawberry-graphql", "0.341", "0.342")

PATCHES: tuple[Patch, ...] = (
    Patch("faust.batch_drain", (FAUST,), "one delivery task per fetched batch", "faust's Consumer"),
    Patch("faust.paced_fetch", (FAUST, AIOKAFKA), "fetches wait for 64 KiB", "faust's fetch settings"),
    Patch("faust.quiet_monitor", (FAUST,), "a Monitor keeping stream inbound times only", "faust's Monitor"),
    Patch("faust.outbox_batches", (FAUST, AIOKAFKA), "records in aiokafka batches", "faust's send"),
    Patch("faust.passive_stream", (FAUST,), "faust's passive stream drainer", "a draining task"),
    Patch("faust.current_event", (FAUST,), "table writes in a chosen event's partition", None),
    Patch("aiokafka.node_drain", (AIOKAFKA,), "a broker's batches leave together", "per-partition linger"),
    Patch("aiokafka.retire", (AIOKAFKA,), "fail what a retired producer holds", "stop() under a timeout"),
    Patch("uvicorn.nowait_send", (UVICORN,), "frames written without awaiting", "awaited send"),
    Patch("uvicorn.spread_keepalive", (UVICORN,), "first ping at a random point", "uvicorn's pings"),
    Patch("strawberry.direct_frames", (STRAWBERRY,), "preformatted frames", "graphql-core per event"),
    Patch("strawberry.shared_execution", (STRAWBERRY,), "one execution per key", "strawberry's executor"),
    Patch("strawberry.core_schema", (STRAWBERRY,), "strawberry's graphql-core schema", "schema from SDL"),
)


def installed(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


class Patches:
    """Which patches run, decided once from the settings and the installed versions."""

    def __init__(
        self,
        settings: PatchSettings,
        version: Callable[[str], str | None] = installed,
        patches: Iterable[Patch] = PATCHES,
    ) -> None:
        self.patches = {p.name: p for p in patches}
        unknown = sorted(settings.patches_disabled - self.patches.keys())
        if unknown:
            raise PatchError(f"POLLWATCH_PATCHES_DISABLED: no patch named {', '.join(unknown)}")
        fixed = sorted(n for n in settings.patches_disabled if self.patches[n].stock is None)
        if fixed:
            raise PatchError(f"POLLWATCH_PATCHES_DISABLED: {', '.join(fixed)} has no stock path")
        self._on: dict[str, bool] = {}
        self.outside: dict[str, str] = {}  # name: why its library version is not one it knows
        for patch in self.patches.values():
            wrong = [
                f"{r.distribution} {v or 'not installed'} (written for {r})"
                for r in patch.needs
                if not r.contains(v := version(r.distribution))
            ]
            if wrong:
                self.outside[patch.name] = ", ".join(wrong)
            off = patch.stock is not None and (
                settings.patches == "off" or patch.name in settings.patches_disabled
            )
            self._on[patch.name] = not off and not wrong

    def enabled(self, name: str) -> bool:
        """Whether the patch runs (KeyError for a name not declared)."""
        on = self._on[name]
        if not on and self.patches[name].stock is None:
            raise PatchVersionError(f"patch {name} has no stock path and {self.outside[name]}")
        return on

    def require(self, name: str) -> None:
        """Raises PatchVersionError unless the patch (one without a stock path) can run."""
        self.enabled(name)

    def check(self, libraries: Iterable[str]) -> None:
        """Start-up: logs what runs the stock path, raises for a patch that cannot run."""
        wanted = set(libraries)
        for patch in self.patches.values():
            if patch.library not in wanted:
                continue
            if patch.name in self.outside:
                if patch.stock is None:
                    self.require(patch.name)
                log.warning("patch %s off, %s: %s", patch.name, self.outside[patch.name], patch.stock)
            elif not self._on[patch.name]:
                log.info("patch %s switched off: %s", patch.name, patch.stock)


_current: Patches | None = None


def configure(settings: PatchSettings, libraries: Iterable[str]) -> Patches:
    """Decides the process's patches at start-up; refuses (PatchVersionError) when one of
    `libraries`' patches has no stock path and its library is outside its range."""
    global _current
    patches = Patches(settings)
    patches.check(libraries)
    _current = patches
    return patches


def current() -> Patches:
    """The process's patches (from the environment on first use when `configure` was not called)."""
    global _current
    if _current is None:
        _current = Patches(PatchSettings())
    return _current


def enabled(name: str) -> bool:
    return current().enabled(name)


def require(name: str) -> None:
    current().require(name)
