"""The demo's election day on each region's own clock, and delivered live without running ahead."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.contracts import events as ev
from services.common.registry.demo_registry import demo_registry
from services.simulator.delivery import DeliveryOptions, schedule
from services.simulator.local_day import local_openings, opening_in_the_past, opening_today
from services.simulator.model import DayOptions, plan_day

ALMATY, AKTOBE = ZoneInfo("Asia/Almaty"), ZoneInfo("Asia/Aqtobe")
ZONES = {r.id: r.timezone for r in demo_registry().regions}
STATIONS = [s for s in demo_registry().stations if s.region_id in ("AKT", "ALA")][::10]


def test_today_is_the_election_zone_s_date_at_seven() -> None:
    # 23:30 UTC on 14 January 2012 is already the 15th in Almaty (UTC+6 then).
    now = datetime(2012, 1, 14, 23, 30, tzinfo=UTC)
    assert opening_today(now, "Asia/Almaty") == datetime(2012, 1, 15, 7, tzinfo=ALMATY)
    assert opening_in_the_past(now, "Asia/Almaty") == datetime(2012, 1, 13, 7, tzinfo=ALMATY)


def test_each_region_opens_at_seven_on_its_own_clock() -> None:
    opening = datetime(2012, 1, 15, 7, tzinfo=ALMATY)
    openings = local_openings(opening, {**ZONES, "XXX": None})
    assert "XXX" not in openings  # the election's zone: `opening` itself
    assert openings["AKT"] == datetime(2012, 1, 15, 7, tzinfo=AKTOBE)
    assert openings["AKT"] - openings["ALA"] == timedelta(hours=1)  # Aktobe was UTC+5, Almaty UTC+6
    # Since March 2024 the whole country is at UTC+5: one opening for all.
    today = local_openings(datetime(2026, 12, 5, 7, tzinfo=ALMATY), ZONES)
    assert len({o.astimezone(UTC) for o in today.values()}) == 1


def test_turnout_reports_fall_on_each_station_s_local_hours() -> None:
    opening = datetime(2012, 1, 15, 7, tzinfo=ALMATY)
    options = DayOptions(opening, "r", local_openings=local_openings(opening, ZONES))
    day = plan_day(STATIONS, options)
    hours: dict[str, set[int]] = defaultdict(set)
    region = {s.id: s.region_id for s in STATIONS}
    for r in day.reports:
        if isinstance(r.body, ev.TurnoutUpdate):
            zone = AKTOBE if region[r.station_id] == "AKT" else ALMATY
            hours[region[r.station_id]].add(r.observed_at.astimezone(zone).hour)
    assert hours["AKT"] == hours["ALA"] == set(range(8, 21))
    assert day.opening == opening
    assert day.closing == datetime(2012, 1, 15, 20, tzinfo=AKTOBE)


def test_live_delivery_sends_what_is_due_at_once_and_nothing_before_its_time() -> None:
    opening = datetime(2012, 1, 15, 7, tzinfo=ALMATY)
    day = plan_day(STATIONS, DayOptions(opening, "r", local_openings=local_openings(opening, ZONES)))
    start = opening + timedelta(hours=5, minutes=10)
    deliveries = schedule(day, DeliveryOptions(speed=500, late_share=0.2, start=start))
    assert {d.report.report_id for d in deliveries} == {r.report_id for r in day.reports}
    due = [d for d in deliveries if d.report.observed_at <= start and not d.resend]
    assert due
    assert min(d.at_seconds for d in due) == 0.0
    # Wall-clock time after the start never runs ahead of event time (speed is 1, gaps kept).
    for d in deliveries:
        assert start + timedelta(seconds=d.at_seconds) >= d.report.observed_at
    last = max(d.at_seconds for d in deliveries)
    assert last >= (day.closing - start).total_seconds()
