from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from services.common.contracts import events as ev
from services.common.registry.demo_registry import demo_registry
from services.simulator.curve import cumulative_share
from services.simulator.delivery import DeliveryOptions, schedule
from services.simulator.model import DayOptions, plan_day
from services.simulator.scenario import Day, Irregularity

OPENING = datetime(2012, 1, 15, 7, tzinfo=timezone(timedelta(hours=6)))
STATIONS = list(demo_registry().stations[:400])


@pytest.fixture(scope="module")
def day() -> Day:
    return plan_day(STATIONS, DayOptions(OPENING, "run1", seed=7, irregular_share=0.3))


def reports_by_station(day: Day) -> dict[str, list[ev.ReportBody]]:
    out: dict[str, list[ev.ReportBody]] = defaultdict(list)
    for r in day.reports:
        out[r.station_id].append(r.body)
    return out


def test_curve_is_monotone_from_zero_to_one() -> None:
    values = [cumulative_share(h / 4) for h in range(-4, 60)]
    assert values[0] == 0.0
    assert values[-1] == 1.0
    assert all(a <= b for a, b in itertools.pairwise(values))
    assert cumulative_share(1.5) == pytest.approx((0.05 + 0.14) / 2)


def test_reports_are_in_event_time_order_with_unique_ids(day: Day) -> None:
    assert [r.observed_at for r in day.reports] == sorted(r.observed_at for r in day.reports)
    assert len({r.report_id for r in day.reports}) == len(day.reports)
    assert all(r.report_id.startswith("run1-") for r in day.reports)


def test_last_turnout_report_is_the_truth_and_the_protocol(day: Day) -> None:
    by_station = reports_by_station(day)
    assert set(day.truth) == {s.id for s in STATIONS}
    for sid, truth in day.truth.items():
        if Irregularity.MONITOR_BARRED in truth.irregularities:
            continue  # nothing reported: tested below
        turnouts = [b for b in by_station[sid] if isinstance(b, ev.TurnoutUpdate)]
        assert turnouts[-1].ballots_issued == truth.ballots_issued
        assert turnouts[-1].home_voting_applications == truth.home_voting_applications
        assert [t.ballots_issued for t in turnouts] == sorted(t.ballots_issued for t in turnouts)
        assert truth.ballots_issued <= truth.registered_voters
        if truth.protocol is not None:
            assert truth.protocol.ballots_issued == truth.ballots_issued
            assert truth.protocol in by_station[sid]


def test_protocols_are_consistent_unless_made_inconsistent(day: Day) -> None:
    assert len(day.truth) == len(STATIONS)
    assert any(t.protocol is not None for t in day.truth.values())
    for truth in day.truth.values():
        p = truth.protocol
        if p is None:
            assert truth.irregularities in ((Irregularity.MONITOR_REMOVED,), (Irregularity.MONITOR_BARRED,))
            continue
        consistent = p.valid_ballots + p.invalid_ballots == p.ballots_cast
        assert consistent == (Irregularity.PROTOCOL_INCONSISTENT not in truth.irregularities)
        assert sum(p.votes.values()) == p.valid_ballots - (7 if not consistent else 0)
        assert p.ballots_cast <= p.ballots_issued <= p.ballots_received
        assert p.copy_received == (Irregularity.PROTOCOL_REFUSED not in truth.irregularities)


def test_every_irregularity_is_injected_at_the_chosen_share(day: Day) -> None:
    injected = Counter(i for t in day.truth.values() for i in t.irregularities)
    assert set(injected) == set(Irregularity)
    assert 0.2 < sum(injected.values()) / len(day.truth) < 0.4


def test_every_violation_type_is_reported(day: Day) -> None:
    seen = {b.violation for b in (r.body for r in day.reports) if isinstance(b, ev.Incident)}
    assert seen == set(ev.ViolationType)


def test_ballot_stuffing_is_a_late_jump_with_an_inflated_leader(day: Day) -> None:
    by_station = reports_by_station(day)
    stuffed = [t for t in day.truth.values() if Irregularity.BALLOT_STUFFING in t.irregularities]
    clean = [t for t in day.truth.values() if not t.irregularities]
    assert stuffed
    assert clean
    for t in stuffed:
        counts = [b.ballots_issued for b in by_station[t.station_id] if isinstance(b, ev.TurnoutUpdate)]
        biggest_hourly_rise = max(b - a for a, b in itertools.pairwise(counts))
        assert biggest_hourly_rise / t.registered_voters >= 0.18
        assert t.protocol is not None
        assert t.protocol.votes["P01"] / t.protocol.valid_ballots > 0.45

    def leader(t: object) -> float:
        p = t.protocol  # type: ignore[attr-defined]
        return float(p.votes["P01"] / p.valid_ballots)

    assert sum(map(leader, stuffed)) / len(stuffed) > sum(map(leader, clean)) / len(clean) + 0.1


def test_removed_monitor_falls_silent_from_midday(day: Day) -> None:
    removed = [t for t in day.truth.values() if Irregularity.MONITOR_REMOVED in t.irregularities]
    assert removed
    for t in removed:
        last = max(r.observed_at for r in day.reports if r.station_id == t.station_id)
        assert last < OPENING + timedelta(hours=5)


def test_clean_stations_never_have_an_incident_burst(day: Day) -> None:
    clean = [sid for sid, t in day.truth.items() if not t.irregularities]
    assert clean
    for sid in clean:
        times = sorted(
            r.observed_at for r in day.reports if r.station_id == sid and isinstance(r.body, ev.Incident)
        )
        assert all(b - a >= timedelta(minutes=40) for a, b in itertools.pairwise(times))


def test_same_seed_same_day_other_seed_other_day() -> None:
    a = plan_day(STATIONS[:50], DayOptions(OPENING, "r", seed=1))
    b = plan_day(STATIONS[:50], DayOptions(OPENING, "r", seed=1))
    c = plan_day(STATIONS[:50], DayOptions(OPENING, "r", seed=2))
    assert a.truth == b.truth
    assert a.reports == b.reports
    assert a.truth != c.truth


def test_delivery_sends_everything_compressed_with_resends_and_lateness(day: Day) -> None:
    deliveries = schedule(day, DeliveryOptions(speed=600, resend_share=0.1, late_share=0.2, seed=3))
    ids = Counter(d.report.report_id for d in deliveries)
    assert set(ids) == {r.report_id for r in day.reports}
    resent = [d for d in deliveries if d.resend]
    assert resent
    assert all(ids[d.report.report_id] == 2 for d in resent)
    span = (day.reports[-1].observed_at - day.reports[0].observed_at).total_seconds()
    assert max(d.at_seconds for d in deliveries) <= (span + 30 * 60) / 600 + 1
    order = [d.report.observed_at for d in deliveries if not d.resend]
    assert order != sorted(order), "late reports should arrive out of event-time order"


def test_delivery_never_idles_longer_than_allowed(day: Day) -> None:
    deliveries = schedule(day, DeliveryOptions(speed=60, max_idle_seconds=2.0, seed=3))
    gaps = [b.at_seconds - a.at_seconds for a, b in itertools.pairwise(deliveries)]
    assert max(gaps) <= 2.0 + 1e-9
    assert gaps == sorted(gaps, key=lambda g: 0)  # order preserved: same sequence, shifted
    assert [d.report.report_id for d in deliveries] == [
        d.report.report_id for d in schedule(day, DeliveryOptions(speed=60, max_idle_seconds=1e9, seed=3))
    ]


def test_a_barred_monitor_sends_nothing_and_a_failed_checklist_is_an_unsealed_box_at_opening(
    day: Day,
) -> None:
    by_station = reports_by_station(day)
    barred = [t for t in day.truth.values() if Irregularity.MONITOR_BARRED in t.irregularities]
    assert barred
    assert all(not by_station[t.station_id] and t.ballots_issued == 0 for t in barred)
    for t in day.truth.values():
        if Irregularity.MONITOR_BARRED in t.irregularities:
            continue
        opening = [
            b
            for b in by_station[t.station_id]
            if isinstance(b, ev.Checklist) and b.phase is ev.ChecklistPhase.OPENING
        ]
        sealed = Irregularity.CHECKLIST_FAILED not in t.irregularities
        assert [c.answers["ballot_boxes_sealed"] for c in opening] == [sealed]


def test_a_failing_region_fails_every_opening_checklist_and_only_there() -> None:
    stations = list(demo_registry().stations[:200])
    region = stations[0].region_id
    opening = datetime(2024, 3, 1, 7, 0, tzinfo=timezone(timedelta(hours=5)))
    day = plan_day(
        stations, DayOptions(opening, "fr", seed=3, irregular_share=0.0, failing_regions=frozenset({region}))
    )
    sealed = {
        r.station_id: r.body.answers["ballot_boxes_sealed"]
        for r in day.reports
        if isinstance(r.body, ev.Checklist) and r.body.phase is ev.ChecklistPhase.OPENING
    }
    assert {s for s, ok in sealed.items() if not ok} == {s.id for s in stations if s.region_id == region}
    assert {t.irregularities for t in day.truth.values() if t.region_id == region} == {
        (Irregularity.CHECKLIST_FAILED,)
    }
