"""The committed generated code is what `make proto` makes from proto/ now."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "services" / "common" / "contracts" / "generated"


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "proto", copy / "proto")
    shutil.copytree(ROOT / "infra", copy / "infra", ignore=shutil.ignore_patterns("*.jar"))
    (copy / "services" / "common" / "contracts" / "generated").mkdir(parents=True)
    subprocess.run(
        [str(copy / "infra" / "gen_proto.sh")],
        env=os.environ | {"PYTHON": sys.executable},
        check=True,
        capture_output=True,
    )
    fresh = copy / "services" / "common" / "contracts" / "generated"
    stale = []
    for path in sorted(fresh.rglob("*")):
        if path.is_file():
            rel = path.relative_to(fresh)
            if not (GENERATED / rel).exists() or not filecmp.cmp(path, GENERATED / rel, shallow=False):
                stale.append(str(rel))
    assert stale == [], f"generated code is stale, run `make proto`: {stale}"
