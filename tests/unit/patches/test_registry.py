"""The patch registry: version ranges, switches, and that it lists every patch in the code."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

import pytest

from services.patches import PATCHES, PatchError, Patches, PatchVersionError, registry
from services.patches.settings import PatchSettings

ROOT = Path(__file__).resolve().parents[3]
LIBRARIES = ("faust", "aiokafka", "uvicorn", "strawberry")
INSIDE = {
    "faust-streaming": "0.15.3",
    "aiokafka": "0.14.0",
    "uvicorn": "0.54.0",
    "strawberry-graphql": "0.341.2",
}


def versions(**changed: str) -> dict[str, str]:
    return {**INSIDE, **{name.replace("_", "-"): v for name, v in changed.items()}}


def test_every_patch_runs_inside_its_range() -> None:
    chosen = Patches(PatchSettings(), versions().get)
    assert chosen.outside == {}
    assert [p.name for p in PATCHES if chosen.enabled(p.name)] == [p.name for p in PATCHES]


def test_the_installed_libraries_are_inside_every_range() -> None:
    # constraints.txt pins what `make setup` installs: a bump outside a range fails here first.
    assert Patches(PatchSettings()).outside == {}


@pytest.mark.parametrize(
    ("version", "inside"), [("0.14.9", False), ("0.15.0", True), ("0.15.3", True), ("0.16.0", False)]
)
def test_the_range_includes_its_low_bound_and_excludes_its_high(version: str, inside: bool) -> None:
    assert registry.FAUST.contains(version) is inside
    assert registry.FAUST.contains(None) is False


def test_outside_its_range_a_patch_takes_the_stock_path_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    chosen = Patches(PatchSettings(), versions(uvicorn="0.55.1").get)
    assert chosen.enabled("uvicorn.nowait_send") is False
    assert chosen.enabled("uvicorn.spread_keepalive") is False
    assert chosen.enabled("strawberry.direct_frames") is True
    assert "uvicorn 0.55.1 (written for uvicorn>=0.54,<0.55)" in chosen.outside["uvicorn.nowait_send"]
    with caplog.at_level(logging.WARNING):
        chosen.check(["uvicorn", "strawberry"])
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 2
    assert warned[0].startswith("patch uvicorn.nowait_send off, uvicorn 0.55.1")


def test_a_patch_needing_two_libraries_is_off_when_either_is_outside() -> None:
    chosen = Patches(PatchSettings(), versions(aiokafka="0.15.0").get)
    assert chosen.enabled("faust.paced_fetch") is False
    assert chosen.enabled("faust.batch_drain") is True


def test_outside_its_range_a_patch_without_stock_path_refuses_to_start() -> None:
    chosen = Patches(PatchSettings(), versions(faust_streaming="0.16.0").get)
    with pytest.raises(
        PatchVersionError, match=r"faust\.current_event has no stock path and faust-streaming 0\.16\.0"
    ):
        chosen.check(["faust"])
    with pytest.raises(PatchVersionError):
        chosen.require("faust.current_event")
    chosen.check(["uvicorn"])  # a service without faust starts


def test_a_missing_library_counts_as_outside() -> None:
    chosen = Patches(PatchSettings(), {**INSIDE, "uvicorn": None}.get)
    assert "uvicorn not installed" in chosen.outside["uvicorn.nowait_send"]


def test_patches_off_switches_every_patch_with_a_stock_path_off() -> None:
    chosen = Patches(PatchSettings(patches="off"), versions().get)
    on = [p.name for p in PATCHES if chosen.enabled(p.name)]
    assert on == ["faust.current_event"]
    assert all(p.stock is not None for p in PATCHES if p.name != "faust.current_event")


def test_single_patches_switch_off_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLLWATCH_PATCHES_DISABLED", " aiokafka.node_drain, uvicorn.nowait_send,")
    settings = PatchSettings()
    assert settings.patches_disabled == {"aiokafka.node_drain", "uvicorn.nowait_send"}
    chosen = Patches(settings, versions().get)
    assert [p.name for p in PATCHES if not chosen.enabled(p.name)] == [
        "aiokafka.node_drain",
        "uvicorn.nowait_send",
    ]


def test_a_switch_naming_no_patch_or_one_without_stock_path_is_refused() -> None:
    with pytest.raises(PatchError, match=r"no patch named faust\.nothing"):
        Patches(PatchSettings(patches_disabled=frozenset({"faust.nothing"})), versions().get)
    with pytest.raises(PatchError, match=r"faust\.current_event has no stock path"):
        Patches(PatchSettings(patches_disabled=frozenset({"faust.current_event"})), versions().get)
    with pytest.raises(KeyError):
        Patches(PatchSettings(), versions().get).enabled("faust.nothing")


def test_configure_decides_once_for_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_current", None)
    chosen = registry.configure(PatchSettings(patches="off"), ["faust", "aiokafka"])
    assert registry.current() is chosen
    assert registry.enabled("aiokafka.retire") is False


def test_the_registry_lists_every_patch_the_code_asks_for() -> None:
    asked = set()
    for path in (ROOT / "services").rglob("*.py"):
        asked |= set(re.findall(r"""(?:enabled|require)\(\s*"([a-z_]+\.[a-z_]+)"\)""", path.read_text()))
    for path in (ROOT / "tests").rglob("*.py"):
        asked |= set(re.findall(r"""needs_patch\(\s*"([a-z_]+\.[a-z_]+)"\)""", path.read_text()))
    declared = {p.name for p in PATCHES}
    assert asked <= declared
    # Every patch with a stock path is switched somewhere; current_event has none to switch to.
    assert declared - asked == {"faust.current_event"}


def test_each_patch_is_described_in_its_library_module_and_the_docs() -> None:
    docs = (ROOT / "docs" / "patches.md").read_text()
    modules = {lib: (ROOT / "services" / "patches" / f"{lib}.py").read_text() for lib in LIBRARIES}
    assert sorted({p.library for p in PATCHES}) == sorted(LIBRARIES)
    undescribed = [p.name for p in PATCHES if f"`{p.name}`" not in modules[p.library]]
    undocumented = [p.name for p in PATCHES if f"`{p.name}`" not in docs]
    assert (undescribed, undocumented) == ([], [])


def test_pyproject_bounds_match_the_ranges() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    bounds = {
        re.split(r"[\[<>=]", d, maxsplit=1)[0]: re.sub(r"^[a-z-]+(\[\w+\])?", "", d) for d in dependencies
    }
    ranges = {r for p in PATCHES for r in p.needs}
    assert {r.distribution for r in ranges} == set(INSIDE)
    assert {r.distribution: bounds.get(r.distribution) for r in ranges} == {
        r.distribution: f">={r.low},<{r.high}" for r in ranges
    }
