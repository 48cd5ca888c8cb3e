"""Silence time held back to a lagging partition's newest report while reports wait in it."""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from services.aggregator import summaries
from services.aggregator.domain.partition_marks import PartitionMark, PartitionMarks
from services.aggregator.domain.region_book import RegionBook
from services.aggregator.domain.station_batch import batch_marks
from services.aggregator.domain.station_state import StationInfo
from services.aggregator.region_agent import RegionAgent
from services.common.infra.errors import DecodeError
from tests.unit.aggregator.helpers import CFG, T0
from tests.unit.aggregator.test_region import stats

MIN = timedelta(minutes=1)


def test_the_most_lagging_partition_still_behind_holds_silence_back() -> None:
    marks = PartitionMarks(ttl_s=30)
    marks.update([PartitionMark(0, T0 + 50 * MIN, True), PartitionMark(1, T0 + 20 * MIN, True)], wall=100)
    marks.update([PartitionMark(2, T0 + 5 * MIN, False)], wall=100)  # caught up: holds nothing
    assert marks.held_back_to(100) == T0 + 20 * MIN
    marks.update([PartitionMark(1, T0 + 40 * MIN, False)], wall=105)  # partition 1 caught up
    assert marks.held_back_to(105) == T0 + 50 * MIN
    marks.update([PartitionMark(0, T0 + 45 * MIN, True)], wall=110)  # an older report: kept newest
    assert marks.held_back_to(110) == T0 + 50 * MIN
    assert marks.held_back_to(140) == T0 + 50 * MIN
    assert marks.held_back_to(140.5) is None  # not said again within the ttl: expired


def test_a_book_judges_silence_against_the_lagging_partition() -> None:
    book = RegionBook(CFG)
    book.set_registry({"A": StationInfo("R", 1000), "B": StationInfo("R", 1000)})
    book.upsert(stats("A", "R", 100, 0))  # A's partition lags: its next reports are unread
    book.upsert(stats("B", "R", 300, 120))
    ahead = book.evaluate(book.watermark() or T0, ["R"])
    assert [a.id for a in ahead.alerts] == ["silent_station:A"]

    book = RegionBook(CFG)
    book.set_registry({"A": StationInfo("R", 1000), "B": StationInfo("R", 1000)})
    book.upsert(stats("A", "R", 100, 0))
    book.upsert(stats("B", "R", 300, 120))
    held = book.watermark(held_back_to=T0 + 30 * MIN)
    assert held == T0 + 25 * MIN  # minus the 5 min grace
    assert book.evaluate(held, ["R"]).alerts == []


def test_marks_round_trip_and_a_bad_length_is_a_decode_error() -> None:
    marks = [PartitionMark(0, T0 + timedelta(microseconds=7), True), PartitionMark(5, T0, False)]
    assert summaries.decode_marks(summaries.encode_marks(marks)) == marks
    with pytest.raises(DecodeError, match="marks of 25 bytes"):
        summaries.decode_marks(summaries.encode_marks(marks)[:-1])


def test_a_batch_marks_each_partition_it_read_behind_while_its_high_water_is_ahead() -> None:
    high = {0: 10, 1: 4}
    newest = {0: T0 + 10 * MIN, 1: T0 + 3 * MIN}
    assert batch_marks(newest, {0: 6, 1: 3}, high.get) == [
        PartitionMark(0, T0 + 10 * MIN, True),  # offsets 7-9 still to read
        PartitionMark(1, T0 + 3 * MIN, False),  # offset 3 was the last
    ]
    assert batch_marks({2: T0}, {2: 5}, high.get) == [PartitionMark(2, T0, False)]  # high water unknown


def region_agent(wall_clock: bool) -> Any:
    agent = RegionAgent.__new__(RegionAgent)
    agent.rt = SimpleNamespace(settings=SimpleNamespace(wall_clock_silence=wall_clock))  # type: ignore[assignment]
    agent.book = RegionBook(CFG)
    agent.book.upsert(stats("B", "R", 300, 120))
    agent.marks = PartitionMarks(ttl_s=30)
    agent.anchor = (None, 0.0)
    return agent


def test_wall_time_moves_silence_on_only_while_no_partition_has_reports_waiting() -> None:
    agent = region_agent(wall_clock=True)
    assert agent.now(1000.0) == T0 + 115 * MIN
    assert agent.now(1060.0) == T0 + 116 * MIN  # nothing arrives: the wall clock moves it
    agent.marks.update([PartitionMark(3, T0 + 60 * MIN, True)], wall=1060.0)
    assert agent.now(1080.0) == T0 + 55 * MIN  # reports wait in partition 3: held, not moved
    assert agent.now(1090.0) == T0 + 55 * MIN
    agent.marks.update([PartitionMark(3, T0 + 118 * MIN, False)], wall=1130.0)
    assert agent.now(1130.0) == T0 + 115 * MIN


def test_the_region_agent_skips_bad_marks_and_takes_good_ones() -> None:
    agent = region_agent(wall_clock=False)
    agent._marks(b"\x00" * 5)  # not a whole mark: skipped, the worker goes on
    assert agent.marks.held_back_to(time.time()) is None
    agent._marks(summaries.encode_marks([PartitionMark(2, T0 + 60 * MIN, True)]))
    assert agent.marks.held_back_to(time.time()) == T0 + 60 * MIN
