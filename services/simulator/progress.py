"""Progress of a long CLI run: reports sent (or protocols arrived), rate and time left.

A live bar on a terminal; otherwise (a log file, a benchmark capturing the output) one plain
line every `every_s` seconds, since rich draws nothing live there.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Reports per second, over rich's recent window."""

    def render(self, task: Task) -> Text:
        return Text("" if task.speed is None else f"{task.speed:,.0f}/s")


def plain_line(
    description: str,
    done: float,
    total: float | None,
    speed: float | None,
    left: float | None,
    unit: str = "reports",
) -> str:
    """`replay: 120,000/570,000 reports, 2,100/s, about 3 min 34 s left`."""
    line = f"{description}: {done:,.0f}/{total or 0:,.0f} {unit}"
    if speed:
        line += f", {speed:,.0f}/s"
    if left is not None:
        minutes, seconds = divmod(round(left), 60)
        line += f", about {minutes} min {seconds} s left" if minutes else f", about {seconds} s left"
    return line


class SendProgress:
    """Use as a context manager; call `advance(n)` as reports are answered, or `update(done)`."""

    def __init__(
        self,
        description: str,
        total: int,
        unit: str = "reports",
        console: Console | None = None,
        every_s: float = 15.0,
    ):
        self.unit = unit
        self.console = console or Console(stderr=True)
        self.live = self.console.is_terminal
        self.every_s = every_s
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            disable=not self.live,
        )
        self.task = self.progress.add_task(description, total=total)
        self._last_line = time.monotonic()

    def __enter__(self) -> SendProgress:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.progress.stop()
        if not self.live:
            self._print()

    def advance(self, n: int = 1) -> None:
        self.progress.advance(self.task, n)
        self._maybe_print()

    def update(self, done: int) -> None:
        self.progress.update(self.task, completed=done)
        self._maybe_print()

    def _maybe_print(self) -> None:
        if not self.live and time.monotonic() - self._last_line >= self.every_s:
            self._print()

    def _print(self) -> None:
        self._last_line = time.monotonic()
        task = self.progress.tasks[0]
        self.console.print(
            plain_line(
                str(task.description), task.completed, task.total, task.speed, task.time_remaining, self.unit
            ),
            highlight=False,
        )
