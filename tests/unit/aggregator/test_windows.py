from hypothesis import given
from hypothesis import strategies as st

from services.aggregator.domain.windows import hop_end, in_window, max_rise, rate_per_hour, value_at


def cols(points: list[tuple[int, float]]) -> tuple[list[int], list[float]]:
    """(times, values) of sorted points, as the windows take them."""
    return [t for t, _ in points], [v for _, v in points]


def test_value_at_interpolates_and_clamps() -> None:
    pts = [(0, 0.0), (3600, 10.0), (7200, 30.0)]
    assert value_at(*cols(pts), -5) == 0.0
    assert value_at(*cols(pts), 1800) == 5.0
    assert value_at(*cols(pts), 3600) == 10.0
    assert value_at(*cols(pts), 5400) == 20.0
    assert value_at(*cols(pts), 10_000) == 30.0
    assert value_at([], [], 5) == 0.0


def test_hop_end_waits_for_the_grace_period() -> None:
    # step 5 min, grace 5 min: at 10:07 the last closed hop ends 10:00 (10:00 + 5 <= 10:07)
    assert hop_end(3600 + 7 * 60, 300, 300) == 3600
    assert hop_end(3600 + 10 * 60, 300, 300) == 3600 + 300
    assert hop_end(3600 + 10 * 60 - 1, 300, 300) == 3600


def test_rate_per_hour_over_the_window() -> None:
    pts = [(0, 0.0), (3600, 12.0), (7200, 18.0)]
    assert rate_per_hour(*cols(pts), 7200, 3600) == 6.0
    assert rate_per_hour(*cols(pts), 5400, 3600) == 9.0  # 15 - 6
    assert rate_per_hour(*cols(pts), 7200, 1800) == 6.0  # 18 - 15 in half an hour
    assert rate_per_hour(*cols([(0, 50.0)]), 3600, 3600) == 0.0


def test_max_rise_window_edges() -> None:
    pts = [(0, 10.0), (3600, 25.0)]
    assert max_rise(*cols(pts), 3600, 3600) == (15.0, 0, 1)  # exactly 60 min apart: inside
    assert max_rise(*cols([(0, 10.0), (3601, 25.0)]), 3601, 3600) == (0.0, -1, -1)  # one second too far
    # the rise must end inside (now - window, now]
    assert max_rise(*cols(pts), 3600 * 2, 3600) == (0.0, -1, -1)
    assert max_rise(*cols(pts), 3600 * 2 - 1, 3600)[0] == 15.0


def test_max_rise_picks_the_largest_pair() -> None:
    pts = [(0, 5.0), (600, 4.0), (1200, 9.0), (1800, 30.0)]
    assert max_rise(*cols(pts), 1800, 3600) == (26.0, 1, 3)


def test_max_rise_from_a_start_index_ignores_earlier_points() -> None:
    times, values = cols([(0, 0.0), (600, 4.0), (1200, 9.0), (1800, 30.0)])
    assert max_rise(times, values, 1800, 3600) == (30.0, 0, 3)
    assert max_rise(times, values, 1800, 3600, start=1) == (26.0, 1, 3)
    assert max_rise(times, values, 1800, 3600, start=4) == (0.0, -1, -1)


def test_in_window_is_half_open() -> None:
    assert in_window([0, 100, 200, 300], 300, 200) == [2, 3]


@given(
    st.lists(
        st.tuples(st.integers(0, 10**5), st.floats(0, 100)), min_size=1, max_size=30, unique_by=lambda p: p[0]
    )
)
def test_value_at_stays_within_the_points(points: list[tuple[int, float]]) -> None:
    pts = sorted(points)
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    for t in range(-10, 10**5 + 10, 997):
        assert lo - 1e-9 <= value_at(*cols(pts), t) <= hi + 1e-9


def _max_rise_reference(
    points: list[tuple[int, float]], now: float, window_s: float
) -> tuple[float, int, int]:
    """The quadratic definition the one-pass max_rise must agree with (ties included)."""
    best = (0.0, -1, -1)
    for j, (tj, vj) in enumerate(points):
        if not now - window_s < tj <= now:
            continue
        for i in range(j - 1, -1, -1):
            ti, vi = points[i]
            if tj - ti > window_s:
                break
            if vj - vi > best[0]:
                best = (vj - vi, i, j)
    return best


@given(
    st.lists(
        st.tuples(st.integers(0, 20_000), st.integers(0, 40).map(float)),
        max_size=40,
        unique_by=lambda p: p[0],
    ),
    st.integers(0, 22_000),
    st.sampled_from([600, 3600, 5400]),
)
def test_max_rise_agrees_with_the_quadratic_definition(
    points: list[tuple[int, float]], now: int, window: int
) -> None:
    pts = sorted(points)
    assert max_rise(*cols(pts), now, window) == _max_rise_reference(pts, now, window)
