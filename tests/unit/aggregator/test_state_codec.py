import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregator.domain.station_rules import evaluate
from services.aggregator.domain.station_view import at
from services.aggregator.state_codec import decode_book, decode_state, encode_book, encode_state
from services.common.contracts import events as ev
from services.common.infra.errors import DecodeError
from tests.unit.aggregator.helpers import CFG, INFO, incident, protocol, state_of, turnout

REPORTS = [
    turnout(950, 60, "t1", home=60),
    incident(ev.ViolationType.BALLOT_STUFFING, 30, "i1", "m1"),
    incident(ev.ViolationType.BALLOT_STUFFING, 40, "i2", "m2"),
    protocol(700, "p1", ballots_cast=700, votes={"P01": 1}),
]


@settings(max_examples=40)
@given(st.lists(st.sampled_from(REPORTS), max_size=8))
def test_station_state_round_trips(reports: list[ev.Report]) -> None:
    s = state_of(*reports)
    if s.last_at is not None:
        s.alerts.step(s.station_id, "ALA", evaluate(s, INFO, CFG), at(s.last_at))
    back = decode_state(encode_state(s))
    assert back == s
    assert decode_book(encode_book(s.alerts)) == s.alerts


def test_garbage_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        decode_state(b"{not json")
    with pytest.raises(DecodeError, match="version"):
        decode_state(b'{"v": 99}')


def test_decoded_states_share_their_party_names() -> None:
    """Every station's state holds the same names (2011's up to 79 characters): one string each."""
    name = '4. Политическая партия "Коммунистическая партия Российской Федерации"'
    raw = encode_state(state_of(protocol(700, "p1", ballots_cast=700, valid_ballots=700, votes={name: 700})))
    first, second = (decode_state(raw).protocol for _ in range(2))
    assert first is not None
    assert second is not None
    (a,), (b,) = first.protocol.votes, second.protocol.votes
    assert a == name
    assert a is b
