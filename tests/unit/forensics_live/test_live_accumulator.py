"""The live accumulator: replace semantics, region/national consistency, batch agreement."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.aggregator.forensics_alert import ExcessAlerts
from services.aggregator.forensics_sink import summary
from services.forensics.fingerprint import Weighting, fingerprint
from services.forensics.integer_excess import integer_excess
from services.forensics.live import LiveForensics, StationProtocol
from services.forensics.live_figures import LiveSnapshot, ScopeFigures
from services.forensics.protocols import Protocols
from services.forensics.region_screen import MIN_TESTED, ScreenStatus
from tests.unit.forensics.synthetic import clean_election, rig_integer_turnout


def station_protocols(p: Protocols) -> dict[str, StationProtocol]:
    assert p.candidate_votes is not None
    out = {}
    for i, sid in enumerate(p.station_ids):
        out[sid] = StationProtocol(
            region=p.region_names[int(p.region[i])],
            registered=int(p.registered[i]),
            issued=int(p.issued[i]),
            valid=int(p.valid[i]),
            invalid=int(p.invalid[i]),
            votes={name: int(v) for name, v in zip(p.candidate_names, p.candidate_votes[i], strict=True)},
        )
    return out


def fed(protocols: dict[str, StationProtocol], bins: int = 50) -> LiveForensics:
    live = LiveForensics(bins=bins, capacity=8)
    for sid, protocol in protocols.items():
        live.upsert(sid, protocol)
    return live


def by_region(snapshot: LiveSnapshot) -> dict[str, ScopeFigures]:
    return {s.region: s for s in snapshot.scopes}


def test_live_figures_match_the_batch_analysis_on_the_same_protocols() -> None:
    rigged, landed = rig_integer_turnout(clean_election(seed=4, stations=6000, regions=6), 5, 0.3, (2,))
    live = fed(station_protocols(rigged))
    snapshot = live.evaluate(everything=True)
    batch = integer_excess(rigged, simulations=1000, seed=1)
    national = by_region(snapshot)[""]
    assert snapshot.leader == "A"
    assert national.stations == rigged.size
    assert national.tested == batch.either.stations
    for ours, theirs in ((national.either, batch.either), (national.turnout, batch.turnout)):
        assert ours.observed == theirs.observed
        assert ours.expected == pytest.approx(theirs.expected, rel=1e-9)
        assert ours.std == pytest.approx(theirs.null_std, rel=1e-9)
        # The batch z uses a 1,000-draw mean: s.e. of that mean is 1/sqrt(1000) null s.d.
        assert ours.z == pytest.approx(theirs.z, abs=4 / np.sqrt(1000))
    assert batch.share is not None
    assert national.share.observed == batch.share.observed
    regions = by_region(snapshot)
    for region in batch.regions:
        assert regions[region.region].either.observed == region.test.observed
        assert regions[region.region].either.expected == pytest.approx(region.test.expected)
        assert regions[region.region].status() is region.status
    assert {r for r, s in regions.items() if s.status() is ScreenStatus.FLAGGED and r} == {"R2"}
    assert landed > 200
    expected = fingerprint(rigged, Weighting.STATIONS, bins=50).counts
    np.testing.assert_array_equal(national.fingerprint, expected)


def test_batch_and_live_screens_flag_the_same_regions_and_name_the_same_near_miss() -> None:
    # R4 rigged on ~300 protocols; R2 rigged as hard but thinned to ~120, below the minimum:
    # the command line used to flag both while the live alert fired for R4 only, silently.
    rigged, _ = rig_integer_turnout(clean_election(seed=4, stations=3000, regions=10), 5, 0.5, (2, 4))
    thin = np.random.default_rng(0).random(rigged.size) < 0.6
    election = rigged.subset(~((rigged.region == 2) & thin))
    batch = {r.region: r for r in integer_excess(election, simulations=1000, seed=1).regions}
    snapshot = fed(station_protocols(election)).evaluate(everything=True)
    assert batch["R2"].test.stations < MIN_TESTED <= batch["R4"].test.stations
    assert min(batch["R2"].test.z, batch["R4"].test.z) >= 4
    assert {r for r, region in batch.items() if region.flagged} == {"R4"}
    statuses = {
        ScreenStatus.FLAGGED: {"R4"},
        ScreenStatus.TOO_FEW_TESTED: {"R2"},
    }
    for status, names in statuses.items():
        assert {r for r, region in batch.items() if region.status is status} == names
        assert {s.region for s in snapshot.scopes if s.region and s.status() is status} == names
    alerts = ExcessAlerts()
    assert {s.region for s in snapshot.scopes if alerts.step(s, datetime(2026, 3, 1, tzinfo=UTC))} == {"R4"}
    national = summary(by_region(snapshot)[""], snapshot.leader, 4.0, MIN_TESTED)
    assert [(r["region"], r["screen"]) for r in national["regions"]] == sorted(
        [("R2", "too_few_tested"), ("R4", "flagged")], key=lambda r: -batch[r[0]].test.z
    )
    assert national["regions_counted"] == 10
    assert national["screen"] == "flagged"


def test_regions_add_up_to_the_nation() -> None:
    live = fed(station_protocols(clean_election(seed=9, stations=3000, regions=7)))
    scopes = by_region(live.evaluate(everything=True))
    regions = [s for r, s in scopes.items() if r]
    national = scopes[""]
    assert len(regions) == 7
    assert sum(s.stations for s in regions) == national.stations == 3000
    assert sum(s.tested for s in regions) == national.tested
    assert sum(s.either.observed for s in regions) == national.either.observed
    assert sum(s.either.expected for s in regions) == pytest.approx(national.either.expected)
    assert sum(s.either.variance for s in regions) == pytest.approx(national.either.variance)
    np.testing.assert_array_equal(sum(s.fingerprint for s in regions), national.fingerprint)
    assert int(national.fingerprint.sum()) == 3000


def test_a_corrected_protocol_replaces_the_old_one_and_a_resend_changes_nothing() -> None:
    protocols = station_protocols(clean_election(seed=3, stations=800, regions=3))
    live = fed(protocols)
    before = by_region(live.evaluate(everything=True))
    sid, original = next(iter(protocols.items()))
    assert live.upsert(sid, original) is False  # resend
    assert live.evaluate().scopes == ()
    corrected = StationProtocol(
        original.region, original.registered, original.registered // 2, 100, 0, {"A": 60, "B": 40}
    )
    assert live.upsert(sid, corrected) is True
    assert live.upsert(sid, corrected) is False
    after = live.evaluate()
    assert {s.region for s in after.scopes} == {original.region, ""}
    assert after.scope("") is not None
    reference = dict(protocols)
    reference[sid] = corrected
    again = by_region(fed(reference).evaluate(everything=True))
    for scope in after.scopes:
        assert scope == _same_as(again[scope.region], scope)
    assert before[""].stations == after.scope("").stations  # type: ignore[union-attr]


def _same_as(expected: ScopeFigures, got: ScopeFigures) -> ScopeFigures:
    """`expected`, with float sums accepted to 1e-9 (summation order differs)."""
    for name in ("either", "turnout", "share"):
        a, b = getattr(expected, name), getattr(got, name)
        assert a.observed == b.observed
        assert a.expected == pytest.approx(b.expected, rel=1e-9)
        assert a.variance == pytest.approx(b.variance, rel=1e-9)
    np.testing.assert_array_equal(expected.fingerprint, got.fingerprint)
    assert (expected.stations, expected.tested) == (got.stations, got.tested)
    return got


def test_a_station_moving_region_leaves_the_old_region() -> None:
    live = LiveForensics(bins=10)
    live.upsert("s1", StationProtocol("R1", 1000, 500, 490, 10, {"A": 300, "B": 190}))
    live.upsert("s2", StationProtocol("R1", 1000, 600, 590, 10, {"A": 300, "B": 290}))
    live.evaluate()
    live.upsert("s2", StationProtocol("R2", 1000, 600, 590, 10, {"A": 300, "B": 290}))
    scopes = by_region(live.evaluate())
    assert (scopes["R1"].stations, scopes["R2"].stations, scopes[""].stations) == (1, 1, 2)
    assert live.remove("s1") is True
    assert live.remove("s1") is False
    assert by_region(live.evaluate())["R1"].stations == 0


def test_the_leader_is_the_national_front_runner_and_a_change_recomputes_every_share() -> None:
    live = LiveForensics(bins=10)
    live.upsert("s1", StationProtocol("R1", 1000, 500, 500, 0, {"A": 300, "B": 200}))
    first = live.evaluate()
    assert first.leader == "A"
    assert first.scope("R1").leader_share_pct == 60.0  # type: ignore[union-attr]
    live.upsert("s2", StationProtocol("R2", 1000, 500, 500, 0, {"A": 0, "B": 500}))
    second = by_region(live.evaluate())
    assert live.leader == "B"
    assert second["R1"].leader_share_pct == 40.0  # not changed itself, but its share did
    assert second[""].leader_share_pct == 70.0
    assert second["R1"].fingerprint[5, 4] == 1  # turnout 50 %, B's share 40 %


def test_nothing_to_report_before_any_protocol() -> None:
    # The aggregator's first evaluation runs with everything=True, possibly before any
    # protocol arrived: it must not publish an empty (0-station) national scope.
    live = LiveForensics()
    snapshot = live.evaluate(everything=True)
    assert snapshot.leader is None
    assert snapshot.scopes == ()
    assert snapshot.scope("") is None
    assert live.evaluate().scopes == ()
    live.upsert("s1", StationProtocol("R1", 1000, 500, 500, 0, {"A": 300, "B": 200}))
    assert live.pending
    first = by_region(live.evaluate())
    assert (first["R1"].stations, first[""].stations) == (1, 1)


def test_a_nation_emptied_by_removals_is_still_reported() -> None:
    # Unlike "never had a protocol", a region whose last protocol was withdrawn must be
    # published at 0 stations, or its stored row would keep the withdrawn figures.
    live = LiveForensics()
    live.upsert("s1", StationProtocol("R1", 1000, 500, 500, 0, {"A": 300, "B": 200}))
    live.evaluate(everything=True)
    live.remove("s1")
    scopes = by_region(live.evaluate(everything=True))
    assert (scopes["R1"].stations, scopes[""].stations) == (0, 0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 12),
            st.sampled_from(["R1", "R2", "R3"]),
            st.integers(0, 3000),
            st.floats(0, 1.1),
            st.integers(0, 2000),
            st.integers(0, 2000),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_any_update_sequence_equals_feeding_only_the_final_protocols(
    updates: list[tuple[int, str, int, float, int, int]],
) -> None:
    live = LiveForensics(bins=20, capacity=2)
    final: dict[str, StationProtocol] = {}
    for i, (station, region, registered, turnout, a, b) in enumerate(updates):
        protocol = StationProtocol(region, registered, int(registered * turnout), a + b, 0, {"A": a, "B": b})
        live.upsert(f"s{station}", protocol)
        final[f"s{station}"] = protocol
        if i % 7 == 0:
            live.evaluate()
    got = by_region(live.evaluate(everything=True))
    want = by_region(fed(final, bins=20).evaluate(everything=True))
    assert got.keys() >= want.keys()
    assert all(scope.stations == 0 for region, scope in got.items() if region not in want)
    for region, scope in want.items():
        scope = _same_as(scope, got[region])
        assert scope.turnout_pct == pytest.approx(want[region].turnout_pct)
