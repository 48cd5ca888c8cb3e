"""Tests of a patch itself skip in a run that switched it off (`make test-stock`)."""

from __future__ import annotations

import pytest

from services import patches
from services.patches import Patches, registry
from services.patches.settings import PatchSettings


def needs_patch(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not patches.enabled(name), reason=f"patch {name} is off (POLLWATCH_PATCHES)")


def switch_all_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """For the rest of the test, this process runs every stock path (as POLLWATCH_PATCHES=off)."""
    monkeypatch.setattr(registry, "_current", Patches(PatchSettings(patches="off")))
