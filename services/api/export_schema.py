"""Writes the SDL to services/api/schema.graphql, or with --check fails when it is stale.

python -m services.api.export_schema [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from services.api.schema import build_schema
from services.api.settings import ApiSettings

SCHEMA_FILE = Path(__file__).with_name("schema.graphql")
RELEASED_FILE = Path(__file__).with_name("schema.released.graphql")


def current_sdl() -> str:
    return build_schema(ApiSettings()).as_str() + "\n"


def main(argv: list[str]) -> int:
    sdl = current_sdl()
    if "--check" in argv:
        if SCHEMA_FILE.read_text(encoding="utf-8") != sdl:
            print(f"{SCHEMA_FILE} is stale: run python -m services.api.export_schema", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.write_text(sdl, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
