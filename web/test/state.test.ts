import { describe, expect, it } from "vitest";
import { visibleRange } from "../src/components/VirtualList";
import { parseRoute, href } from "../src/router";
import { RollingRate } from "../src/state/rate";
import { toData } from "../src/components/LineChart";
import { appendPoint, MIN_SPAN_MS, nationalCurve, shareOfRegistered, timeAxisRange } from "../src/state/series";
import { turnoutCaption } from "../src/views/Overview";
import { renderText } from "../src/strings/catalog";
import { protocolChecks } from "../src/views/Station";

describe("national curve", () => {
  it("sums regions' cumulative ballots, carrying each region's last value forward", () => {
    const a = [
      { at: "2026-03-01T08:00:00Z", ballotsIssued: 100, turnoutPct: 10 },
      { at: "2026-03-01T09:00:00Z", ballotsIssued: 300, turnoutPct: 30 },
    ];
    const b = [{ at: "2026-03-01T08:30:00Z", ballotsIssued: 200, turnoutPct: 20 }];
    const curve = nationalCurve([a, b], 2000);
    expect(curve.map((p) => p.v)).toEqual([5, 15, 25]);
  });

  it("merges close live points and keeps time order", () => {
    let c = appendPoint([], { t: 0, v: 1 });
    c = appendPoint(c, { t: 20_000, v: 2 });
    c = appendPoint(c, { t: 25_000, v: 3 });
    c = appendPoint(c, { t: 26_000, v: 4 });
    expect(c.map((p) => p.v)).toEqual([1, 2, 4]);
    expect(appendPoint(c, { t: 10, v: 9 })).toBe(c);
  });
});

describe("reports per minute", () => {
  it("counts events of the last minute and forgets older ones", () => {
    const r = new RollingRate(60);
    r.add(1_000, 5);
    r.add(30_000, 10);
    expect(r.perMinute(31_000)).toBe(15);
    expect(r.perMinute(65_000)).toBe(10);
    expect(r.perMinute(200_000)).toBe(0);
  });
});

describe("virtual list", () => {
  it("renders only the visible rows plus overscan", () => {
    expect(visibleRange(0, 400, 40, 100_000, 5)).toEqual([0, 15]);
    expect(visibleRange(40_000, 400, 40, 100_000, 5)).toEqual([995, 1015]);
    expect(visibleRange(3_999_600, 400, 40, 100_000, 5)).toEqual([99_985, 100_000]);
  });
});

describe("router", () => {
  it("parses routes and falls back to the overview", () => {
    expect(parseRoute("#/station/AKM-0001")).toMatchObject({ name: "station", id: "AKM-0001" });
    expect(parseRoute("#/stations?region=AKM").params.get("region")).toBe("AKM");
    expect(parseRoute("#/nope").name).toBe("overview");
    expect(href("stations", undefined, { region: "AKM", status: undefined })).toBe("#/stations?region=AKM");
  });
});

describe("protocol consistency", () => {
  it("accepts consistent figures and names each inconsistency", () => {
    const ok = { ballots_issued: 500, ballots_cast: 490, valid_ballots: 480, invalid_ballots: 10, votes: { A: 300, B: 180 } };
    expect(protocolChecks(ok)).toEqual({ ok: true, problems: [] });
    const bad = { ...ok, ballots_cast: 600, votes: { A: 300, B: 100 } };
    const r = protocolChecks(bad);
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => renderText(p, "ru"))).toEqual([
      "Бюллетеней в ящиках (600) больше, чем выдано (500)",
      "Действительные (480) и недействительные (10) бюллетени в сумме не равны числу бюллетеней в ящиках (600)",
      "Сумма голосов (400) не равна числу действительных бюллетеней (480)",
    ]);
  });

  it("adds what the aggregator's alert found (ballots received) and the summary's own list", () => {
    const ok = { ballots_issued: 500, ballots_cast: 490, valid_ballots: 480, invalid_ballots: 10 };
    const received = { key: "protocol_inconsistent.issued_exceeds_received", params: { issued: 500, received: 450 } };
    expect(protocolChecks(ok, [received])).toEqual({ ok: false, problems: [received] });
    expect(protocolChecks({ ...ok, inconsistencies: ["ballots issued 500 > ballots received 450"] }).ok).toBe(false);
  });
});

describe("turnout chart time axis", () => {
  const H = 3_600_000;
  const day = Date.parse("2026-03-01T00:00:00Z");

  it("gives uPlot seconds, not milliseconds, in the shared x array", () => {
    const [xs, ys] = toData([{ label: "n", color: "#000", points: [{ t: day + 8 * H, v: 1 }, { t: day + 9 * H, v: 2 }] }]);
    expect(Array.from(xs)).toEqual([(day + 8 * H) / 1000, (day + 9 * H) / 1000]);
    expect(Array.from(ys)).toEqual([1, 2]);
  });

  it("spans the election day's hours around two close points, up to now", () => {
    const [lo, hi] = timeAxisRange([day + 8 * H + 60_000, day + 8 * H + 120_000], day + 9.5 * H);
    expect(lo).toBe((day + 8 * H) / 1000);
    expect(hi).toBe((day + 12 * H) / 1000); // at least MIN_SPAN_MS wide
    expect((hi - lo) * 1000).toBe(MIN_SPAN_MS);
  });

  it("runs on to now during a long day, rounded up to the hour", () => {
    const [lo, hi] = timeAxisRange([day + 8 * H, day + 10 * H], day + 15.25 * H);
    expect([lo, hi]).toEqual([(day + 8 * H) / 1000, (day + 16 * H) / 1000]);
  });

  it("stops at the last point when the data is long over, and copes with one point or none", () => {
    expect(timeAxisRange([day + 8 * H, day + 20 * H], day + 30 * 24 * H)).toEqual([(day + 8 * H) / 1000, (day + 20 * H) / 1000]);
    expect(timeAxisRange([day + 8.5 * H], day + 8.5 * H)).toEqual([(day + 8 * H) / 1000, (day + 12 * H) / 1000]);
    const [lo, hi] = timeAxisRange([], day + 10 * H);
    expect([lo, hi]).toEqual([(day + 6 * H) / 1000, (day + 10 * H) / 1000]);
  });

  it("live points continue the API's series: ballots over all registered voters", () => {
    expect(shareOfRegistered({ ballotsIssued: 500, registeredVoters: 10_800 })).toBeCloseTo(4.6296, 4);
    expect(shareOfRegistered({ ballotsIssued: 5, registeredVoters: 0 })).toBe(0);
  });
});

describe("turnout caption", () => {
  it("says the figure is over reporting stations, never ballots of all registered voters", () => {
    const text = turnoutCaption({ ballotsIssued: 500 });
    expect(text).toBe("500 ballots issued so far · turnout over reporting stations");
    expect(text).not.toContain("10,800");
    expect(turnoutCaption({ ballotsIssued: 12345 })).toContain("12,345 ballots");
    expect(turnoutCaption(null)).toBe("No data yet");
  });
});
