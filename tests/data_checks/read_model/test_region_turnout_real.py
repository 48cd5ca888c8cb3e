"""Region roll-ups of a real election equal the published protocols' own ratios, exactly.

Kamchatka 2011 has one station whose protocol says 0 ballots issued: a roll-up that left it out
of the denominator gave 53.5835 % beside ballotsIssued / registeredVoters = 53.5785 %.
"""

from __future__ import annotations

import pytest

from services.forensics.datasets import load
from tests.support.shared_data import shared_data
from tests.unit.aggregator.test_region_rollup import region, station

pytestmark = pytest.mark.data


def test_kamchatka_2011_turnout_is_its_ballots_over_its_registered_voters() -> None:
    path = shared_data() / "russia_dkobak" / "2011.csv.zip"
    if not path.exists():
        pytest.skip(f"real election data not found at {path} (see ../shared/data/README.md)")
    p = load(path).protocols
    (code,) = [i for i, name in enumerate(p.region_names) if name == "Камчатский край"]
    # As the replay loads them: every station with registered voters, each with its protocol.
    rows = [i for i in range(p.size) if p.region[i] == code and p.registered[i] > 0]
    r = region(*(station(f"S{i}", int(p.registered[i]), int(p.issued[i]), protocol=True) for i in rows))
    assert (len(rows), sum(int(p.issued[i]) == 0 for i in rows)) == (306, 1)
    assert (r.registered_voters, r.ballots_issued) == (
        sum(int(p.registered[i]) for i in rows),
        sum(int(p.issued[i]) for i in rows),
    )
    assert r.turnout_pct == 53.5785
    assert r.registered_voters_reporting == r.registered_voters
