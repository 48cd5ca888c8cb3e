"""The suite's own rules: markers come from the folder, and a unit test cannot open a socket."""

from __future__ import annotations

import asyncio
import socket

import pytest
from pytest_socket import SocketBlockedError

from tests.support.markers import SERIAL, TESTS, folder_marker, serial


def test_each_folder_gives_its_marker() -> None:
    assert folder_marker(TESTS / "integration" / "ingest" / "test_reports.py") == "integration"
    assert folder_marker(TESTS / "e2e" / "test_services_up.py") == "e2e"
    assert folder_marker(TESTS / "data_checks" / "test_contestant_names.py") == "data"
    assert folder_marker(TESTS / "unit" / "test_codec.py") is None
    assert folder_marker(TESTS.parent / "bench" / "run.py") is None


def test_a_unit_test_carries_no_infrastructure_marker(request: pytest.FixtureRequest) -> None:
    assert {m.name for m in request.node.iter_markers()} & {"integration", "e2e", "data"} == set()


def test_a_unit_test_cannot_open_a_network_socket() -> None:
    # pytest-socket warns as well as raising, so a swallowed error still shows.
    with pytest.warns(UserWarning, match="socket"), pytest.raises(SocketBlockedError):
        socket.create_connection(("127.0.0.1", 5432), timeout=1)


async def test_a_unit_test_cannot_reach_a_server_from_asyncio() -> None:
    with pytest.warns(UserWarning, match="socket"), pytest.raises(SocketBlockedError):
        await asyncio.open_connection("127.0.0.1", 5432)


def test_only_the_tests_that_stop_the_shared_infrastructure_run_alone() -> None:
    assert serial(TESTS / "faults" / "test_faults.py")
    assert serial(TESTS / "integration" / "aggregator" / "test_pg_restart.py")
    assert not serial(TESTS / "integration" / "aggregator" / "test_station_day.py")
    assert not serial(TESTS / "unit" / "test_suite_markers.py")
    # Every file named in SERIAL exists: a rename would silently run it in parallel.
    assert all((TESTS / name).exists() for name in SERIAL)
