"""Where pollwatch reaches into a library's private parts: every such patch, declared once.

Each patch lives in the module named after its library (`faust.py`, `aiokafka.py`, `uvicorn.py`,
`strawberry.py`) and is declared in `registry.py` with the versions it was written against.
At start-up `configure` decides, once per process, which patches run:

- a patch switched off by a setting (`POLLWATCH_PATCHES=off`, `POLLWATCH_PATCHES_DISABLED`) takes
  the library's stock path;
- a patch whose library is outside its range takes the stock path too, with a warning;
- a patch with no stock path (`stock is None`) cannot be switched off, and outside its range the
  process refuses to start (`PatchVersionError`).

Call sites ask `enabled(name)` (or `require(name)`); a process that never called `configure`
(tests, tools) decides on first use from the environment. docs/patches.md lists every patch.
"""

from __future__ import annotations

from services.patches.registry import (
    PATCHES,
    Patch,
    PatchError,
    Patches,
    PatchVersionError,
    Range,
    configure,
    current,
    enabled,
    require,
)

__all__ = [
    "PATCHES",
    "Patch",
    "PatchError",
    "PatchVersionError",
    "Patches",
    "Range",
    "configure",
    "current",
    "enabled",
    "require",
]
