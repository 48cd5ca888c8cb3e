import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.aggregator.domain.robust import mad, median, robust_z


def test_median_and_mad() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 100.0]
    assert median(values) == 3.0
    assert mad(values) == 1.0
    assert robust_z(100.0, 3.0, 1.0) == pytest.approx(0.6745 * 97)


def test_errors() -> None:
    with pytest.raises(ValueError, match="no values"):
        median([])
    with pytest.raises(ValueError, match="positive"):
        robust_z(1.0, 0.0, 0.0)


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=40), st.floats(-1e3, 1e3))
def test_mad_is_shift_invariant(values: list[float], shift: float) -> None:
    assert mad([v + shift for v in values]) == pytest.approx(mad(values), abs=1e-6)
