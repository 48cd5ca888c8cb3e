"""Direct frames must be the exact text strawberry's transport handler would have sent."""

from __future__ import annotations

import dataclasses

import orjson
import pytest
import strawberry
from hypothesis import given, settings
from hypothesis import strategies as st

from services.api.live.frames import body_parts, frame_prefix
from services.api.types.station import Station
from services.api.types.updates import StationUpdate
from tests.unit.api.factories import station_stats
from tests.unit.api.test_live_render import _compile


def _strawberry_text(operation_id: str, data: dict[str, object]) -> str:
    # What Operation.send_next builds, encoded like PollwatchGraphQL.encode_json.
    return orjson.dumps({"id": operation_id, "type": "next", "payload": {"data": data}}).decode()


def _direct_text(
    operation_id: str, root_key: str, value: dict[str, object], seq_keys: tuple[str, ...], seq: int
) -> str:
    return frame_prefix(operation_id) + str(seq).join(body_parts(root_key, value, seq_keys))


@pytest.mark.parametrize(
    ("document", "seq_keys"),
    [
        ("subscription { stationUpdated { seq revision station { id stats { ballotsIssued } } } }", ("seq",)),
        ("subscription { s: stationUpdated { revision n: seq station { id } m: seq } }", ("n", "m")),
        ("subscription { stationUpdated { station { id stats { incidentsTotal silent } } } }", ()),
    ],
)
def test_direct_frame_is_the_text_strawberry_sends(document: str, seq_keys: tuple[str, ...]) -> None:
    render, root = _compile(document)
    assert render is not None
    root_key = root.alias.value if root.alias else root.name.value
    live = dataclasses.replace(station_stats(ballots=77), incidents_total={'x"y\\': 2})
    for seq in (1, 42):
        update = StationUpdate(seq=seq, revision=5, station=Station(id=strawberry.ID("S1"), _live=live))
        value = render(update)
        shared = render(StationUpdate(seq=0, revision=5, station=Station(id=strawberry.ID("S1"), _live=live)))
        assert _direct_text('o"1', root_key, shared, seq_keys, seq) == _strawberry_text(
            'o"1', {root_key: value}
        )


@settings(max_examples=80, deadline=None)
@given(
    operation_id=st.text(max_size=12),
    value=st.dictionaries(
        st.text(min_size=1, max_size=6),
        st.recursive(
            st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
            ),
            max_leaves=8,
        ),
        max_size=5,
    ),
    seq=st.integers(min_value=1, max_value=10**9),
)
def test_any_body_with_seq_spliced_equals_orjson(
    operation_id: str, value: dict[str, object], seq: int
) -> None:
    seq_keys = tuple(k for k in value if k.startswith("s"))
    expected = {k: (seq if k in seq_keys else v) for k, v in value.items()}
    text = _direct_text(operation_id, "root", value, seq_keys, seq)
    assert text == _strawberry_text(operation_id, {"root": expected})
