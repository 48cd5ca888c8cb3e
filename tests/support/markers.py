"""Which markers a test gets from the folder it lives in (applied by tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]

# The folder right under tests/ decides; tests/unit gets none, so `-m "not integration and not e2e
# and not data"` selects exactly the unit tests.
FOLDER_MARKERS: dict[str, str] = {
    "integration": "integration",
    "e2e": "e2e",
    "faults": "e2e",  # the whole stack as processes
    "data_checks": "data",
}

# Only these may open a network socket; every other test runs under pytest-socket's
# --disable-socket (addopts), so a unit test that reaches for Kafka or PostgreSQL fails loudly.
NEEDS_SOCKETS = frozenset({"integration", "e2e"})


# Tests that stop or restart the shared test Kafka or PostgreSQL: `make test` runs them alone,
# after the rest has run in parallel (pytest-xdist), which would otherwise lose its broker.
SERIAL = (
    "faults/",
    "integration/api/test_outages.py",
    "integration/aggregator/test_pg_restart.py",
    "integration/ingest/test_outage_under_load.py",
)


def serial(path: Path) -> bool:
    """Whether the test file at `path` stops the shared test infrastructure (`SERIAL`)."""
    try:
        relative = path.resolve().relative_to(TESTS).as_posix()
    except ValueError:
        return False
    return relative.startswith(SERIAL)


def folder_marker(path: Path) -> str | None:
    """The marker for a test file at `path`, or None for unit tests and files outside tests/."""
    try:
        top = path.resolve().relative_to(TESTS).parts[0]
    except (ValueError, IndexError):
        return None
    return FOLDER_MARKERS.get(top)
