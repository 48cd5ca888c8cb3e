from hypothesis import given
from hypothesis import strategies as st

from services.aggregator import summaries
from services.aggregator.domain.station_view import station_stats
from services.common.contracts import codec
from services.common.contracts import events as ev
from tests.unit.aggregator.helpers import CFG, INFO, incident, protocol, state_of, turnout

DAY = [
    turnout(50, 60, "t1", home=5),
    turnout(120, 120, "t2", home=9),
    incident(ev.ViolationType.FAMILY_VOTING, 130, "i1"),
    turnout(400, 300, "t4", home=20),
    protocol(720, "p1"),
]


def figures(station: str, reports: int) -> ev.StationStats:
    return station_stats(state_of(*DAY[:reports], station=station), INFO, CFG)


def test_pack_unpack_round_trip() -> None:
    values = [b"a", b"", b"\x00" * 300]
    assert list(summaries.unpack(summaries.pack(values))) == values


@given(st.lists(st.integers(1, len(DAY)), min_size=1, max_size=5))
def test_figures_taken_back_equal_the_decoded_ones(prefixes: list[int]) -> None:
    # Taking figures back stands in for decoding them: both must give the same values.
    sent = [figures(f"S{i}", n) for i, n in enumerate(prefixes)]
    message = summaries.pack([codec.encode_station_stats(s) for s in sent])
    decoded = [codec.decode_station_stats(v) for v in summaries.unpack(message)]
    memo = summaries.SentFigures()
    memo.add(message, sent)
    assert memo.take(bytes(message)) == decoded


def test_a_message_is_taken_back_once_and_unknown_ones_not_at_all() -> None:
    memo = summaries.SentFigures()
    one = [figures("S1", 2)]
    memo.add(b"m1", one)
    assert memo.take(b"other") is None
    assert memo.take(b"m1") == one
    assert memo.take(b"m1") is None


def test_the_oldest_messages_go_first_beyond_the_bound() -> None:
    memo = summaries.SentFigures(keep=3)
    a, b, c = [figures("A", 1)] * 2, [figures("B", 1)], [figures("C", 1)] * 2
    memo.add(b"a", a)
    memo.add(b"b", b)
    memo.add(b"c", c)  # 5 held > 3: a goes, then b and c make 3
    assert memo.take(b"a") is None
    assert memo.take(b"b") == b
    assert memo.take(b"c") == c


def test_the_newest_message_stays_even_alone_over_the_bound() -> None:
    memo = summaries.SentFigures(keep=1)
    big = [figures("A", 1), figures("B", 1)]
    memo.add(b"old", [figures("C", 1)])
    memo.add(b"big", big)
    assert memo.take(b"old") is None
    assert memo.take(b"big") == big


def test_the_same_message_twice_is_held_once() -> None:
    memo = summaries.SentFigures(keep=2)
    one = [figures("A", 1)]
    memo.add(b"m", one)
    memo.add(b"m", one)
    memo.add(b"n", one)  # 2 held: nothing dropped
    assert memo.take(b"m") == one
    assert memo.take(b"n") == one


@given(st.lists(st.integers(0, 120), max_size=40), st.integers(4, 300))
def test_split_gives_consecutive_messages_within_the_limit_each_as_full_as_it_may_be(
    sizes: list[int], limit: int
) -> None:
    values = [bytes([i % 256]) * n for i, n in enumerate(sizes)]
    parts = summaries.split(values, limit)
    assert [v for part in parts for v in values[part]] == values
    for n, part in enumerate(parts):
        message = summaries.pack(values[part])
        assert list(summaries.unpack(message)) == values[part]
        assert len(message) <= limit or len(values[part]) == 1
        if n + 1 < len(parts):  # the next value would not have fitted
            assert len(message) + 4 + len(values[parts[n + 1].start]) > limit
