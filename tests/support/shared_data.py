"""The real election files (../shared/data, see its README), found from any checkout of the repo."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    """`PW_SHARED_DATA`, else the nearest `shared/data` beside the checkout or one of its parents
    (a git worktree lives deeper than the main checkout)."""
    if configured := os.environ.get("PW_SHARED_DATA"):
        return Path(configured)
    for folder in _REPO.parents:
        if (folder / "shared" / "data").is_dir():
            return folder / "shared" / "data"
    return _REPO.parent / "shared" / "data"


def need(relative: str) -> Path:
    """The file or folder under the shared data, or the test is skipped saying where it looked."""
    path = shared_data() / relative
    if not path.exists():
        pytest.skip(f"real election data not found at {path} (see ../shared/data/README.md)")
    return path
