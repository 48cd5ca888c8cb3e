import { describe, expect, it } from "vitest";
import type { Forensics, IntegerTest } from "../src/api/types";
import { figureRows, formatP, screenLists, verdict } from "../src/forensics/figures";
import { en } from "../src/strings/en";
import { fill } from "../src/strings/index";
import { kk } from "../src/strings/kk";
import { ru } from "../src/strings/ru";
import { binRange, cellAt, coarsen, colourAt, legendGradient, legendTicks, logScale, moveCell, summarise, toGrid } from "../src/forensics/heatmap";
import { Store } from "../src/state/store";
import type { Alert } from "../src/api/types";

const test = (observed: number, expected: number, z: number, pValue = 0.5): IntegerTest => ({
  observed,
  expected,
  std: 1,
  excess: observed - expected,
  z,
  pValue,
});

function forensics(over: Partial<Forensics> = {}): Forensics {
  return {
    region: "ALA",
    computedAt: "2026-03-01T20:05:00Z",
    stations: 800,
    tested: 700,
    leader: "A",
    turnoutPct: 61.2,
    leaderSharePct: 55.4,
    integer: { either: test(160, 100, 6.1, 1e-9), turnout: test(120, 60, 7.5), leaderShare: test(0, 0, 0) },
    significant: true,
    screen: "FLAGGED",
    regionsAboveThreshold: [],
    regionsCounted: null,
    thresholdZ: 4,
    minStations: 200,
    method: "m",
    fingerprint: { bins: 2, counts: [[1, 0], [0, 3]] },
    ...over,
  };
}

describe("heatmap grid", () => {
  it("pads short rows, zeroes negative and non-numeric cells, sums and finds the maximum", () => {
    const g = toGrid({ bins: 3, counts: [[1, 2], [-4, Number.NaN, 7], [0, 0, 2.6]] as number[][] });
    expect(g.counts).toEqual([[1, 2, 0], [0, 0, 7], [0, 0, 3]]);
    expect(g.total).toBe(13);
    expect(g.max).toBe(7);
    expect(toGrid(null)).toEqual({ bins: 0, counts: [], total: 0, max: 0 });
    // Missing rows entirely.
    expect(toGrid({ bins: 2, counts: [] }).counts).toEqual([[0, 0], [0, 0]]);
  });

  it("sums fine cells into coarse bands without losing a station", () => {
    const counts = Array.from({ length: 50 }, (_, i) => Array.from({ length: 50 }, (_, j) => (i * 7 + j * 3) % 5));
    const g = toGrid({ bins: 50, counts });
    const bands = coarsen(g, 10);
    expect(bands.length).toBe(10);
    expect(bands.flat().reduce((a, b) => a + b, 0)).toBe(g.total);
    // Band (0, 0) holds fine cells 0..4 x 0..4.
    let first = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) first += counts[i][j];
    expect(bands[0][0]).toBe(first);
  });

  it("labels bins in percent", () => {
    expect(binRange(30, 50)).toEqual([60, 62]);
    expect(binRange(49, 50)).toEqual([98, 100]);
  });

  it("summarises the peak, the weighted means and the high-turnout-high-share corner", () => {
    const counts = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    counts[5][4] = 30; // turnout 50-60, share 40-50
    counts[9][9] = 10; // 90-100 / 90-100
    counts[8][2] = 10; // 80-90 turnout, share 20-30: not in the corner
    const s = summarise(toGrid({ bins: 10, counts }));
    expect(s.total).toBe(50);
    expect(s.peak).toEqual({ turnout: 5, share: 4 });
    expect(s.peakCount).toBe(30);
    expect(s.meanTurnout).toBeCloseTo((30 * 55 + 10 * 95 + 10 * 85) / 50, 10);
    expect(s.meanShare).toBeCloseTo((30 * 45 + 10 * 95 + 10 * 25) / 50, 10);
    expect(s.highHigh).toBe(10);
    expect(summarise(toGrid({ bins: 4, counts: [] }))).toMatchObject({ total: 0, peak: null, meanTurnout: null });
  });
});

describe("log colour scale", () => {
  it("puts one station at the bottom, the densest cell at the top and empty cells nowhere", () => {
    expect(logScale(0, 100)).toBeNull();
    expect(logScale(-1, 100)).toBeNull();
    expect(logScale(5, 0)).toBeNull();
    expect(logScale(1, 100)).toBe(0);
    expect(logScale(100, 100)).toBe(1);
    expect(logScale(10, 100)).toBeCloseTo(0.5, 12);
    expect(logScale(1, 1)).toBe(1);
    expect(logScale(500, 100)).toBe(1);
  });

  it("is monotonic in the count", () => {
    let last = -1;
    for (let c = 1; c <= 1000; c++) {
      const v = logScale(c, 1000)!;
      expect(v).toBeGreaterThan(last);
      last = v;
    }
  });

  it("maps the ends to magma's purple and pale yellow, clamps and gets lighter along the scale", () => {
    expect(colourAt(0)).toEqual([0x3b, 0x0f, 0x70]);
    expect(colourAt(1)).toEqual([0xfc, 0xfd, 0xbf]);
    expect(colourAt(-3)).toEqual(colourAt(0));
    expect(colourAt(7)).toEqual(colourAt(1));
    expect(colourAt(Number.NaN)).toEqual(colourAt(0));
    const luminance = ([r, g, b]: number[]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let last = -1;
    for (let i = 0; i <= 20; i++) {
      const l = luminance(colourAt(i / 20));
      expect(l).toBeGreaterThan(last);
      last = l;
    }
    // The faintest colour stands out from the plot's dark background (#0f172a).
    expect(luminance(colourAt(0)) - luminance([0x0f, 0x17, 0x2a])).toBeGreaterThan(5);
  });

  it("gives legend ticks at 1, powers of ten and the maximum, placed on the same scale", () => {
    expect(legendTicks(0)).toEqual([]);
    expect(legendTicks(1)).toEqual([{ value: 1, at: 1 }]);
    expect(legendTicks(37).map((k) => k.value)).toEqual([1, 10, 37]);
    // 10 would sit under the label of 12.
    expect(legendTicks(12).map((k) => k.value)).toEqual([1, 12]);
    const ticks = legendTicks(2500);
    expect(ticks.map((k) => k.value)).toEqual([1, 10, 100, 2500]);
    expect(ticks[0].at).toBe(0);
    expect(ticks[ticks.length - 1].at).toBe(1);
    expect(ticks[2].at).toBeCloseTo(Math.log(100) / Math.log(2500), 12);
    expect(legendGradient(2)).toBe("linear-gradient(to right, rgb(59, 15, 112) 0.0%, rgb(222, 73, 104) 50.0%, rgb(252, 253, 191) 100.0%)");
  });
});

describe("heatmap pointer and keyboard", () => {
  it("finds the cell under a point: turnout to the right, leader share upwards", () => {
    expect(cellAt(0, 499, 500, 50)).toEqual({ turnout: 0, share: 0 });
    expect(cellAt(499, 0, 500, 50)).toEqual({ turnout: 49, share: 49 });
    expect(cellAt(305, 195, 500, 50)).toEqual({ turnout: 30, share: 30 });
    expect(cellAt(-1, 10, 500, 50)).toBeNull();
    expect(cellAt(10, 500, 500, 50)).toBeNull();
    expect(cellAt(10, 10, 500, 0)).toBeNull();
  });

  it("moves the cursor with the arrow keys and stays inside the grid", () => {
    const c = { turnout: 10, share: 10 };
    expect(moveCell(c, "ArrowRight", 50)).toEqual({ turnout: 11, share: 10 });
    expect(moveCell(c, "ArrowUp", 50, true)).toEqual({ turnout: 10, share: 15 });
    expect(moveCell({ turnout: 0, share: 49 }, "ArrowLeft", 50)).toEqual({ turnout: 0, share: 49 });
    expect(moveCell({ turnout: 0, share: 49 }, "ArrowUp", 50, true)).toEqual({ turnout: 0, share: 49 });
    expect(moveCell(c, "End", 50)).toEqual({ turnout: 49, share: 49 });
    expect(moveCell(c, "Home", 50)).toEqual({ turnout: 0, share: 0 });
    expect(moveCell(c, "a", 50)).toBeNull();
  });
});

describe("integer-percentage figures", () => {
  it("lists the screened test first with observed against expected", () => {
    const rows = figureRows(forensics());
    expect(rows.map((r) => [r.key, r.screened])).toEqual([["either", true], ["turnout", false], ["leaderShare", false]]);
    expect(rows[0].ratio).toBeCloseTo(1.6, 12);
    expect(rows[0].test.excess).toBe(60);
    expect(rows[2].ratio).toBeNull();
  });

  it("says what the figures mean in the alert's terms", () => {
    expect(verdict(forensics())).toBe("flagged");
    expect(verdict(forensics({ significant: false, screen: "BELOW_THRESHOLD", tested: 150 }))).toBe("tooFew");
    const calm = forensics({ significant: false, screen: "BELOW_THRESHOLD" });
    expect(verdict({ ...calm, integer: { ...calm.integer, either: test(100, 98, 0.4) } })).toBe("withinChance");
    expect(verdict({ ...calm, integer: { ...calm.integer, either: test(120, 98, 2.5) } })).toBe("elevated");
  });

  it("says when z reaches the threshold on too few protocols, as the command line does", () => {
    // Yamalo-Nenets 2012: z 5.0 on 167 protocols, below the 200 the rule needs.
    const near = forensics({ significant: false, screen: "TOO_FEW_TESTED", tested: 167, integer: { ...forensics().integer, either: test(57, 31.6, 5.0) } });
    expect(verdict(near)).toBe("aboveTooFew");
    const national = forensics({
      region: null,
      regionsCounted: 85,
      regionsAboveThreshold: [
        { region: "TA", tested: 1870, z: 12.8, screen: "FLAGGED" },
        { region: "YN", tested: 167, z: 5.0, screen: "TOO_FEW_TESTED" },
        { region: "SA", tested: 1716, z: 5.1, screen: "FLAGGED" },
      ],
    });
    const lists = screenLists(national);
    expect(lists.flagged.map((r) => r.region)).toEqual(["TA", "SA"]);
    expect(lists.tooFew.map((r) => r.region)).toEqual(["YN"]);
  });

  it("has the region screen's texts in every language", () => {
    for (const table of [en, ru, kk] as Partial<Record<string, string>>[]) {
      for (const key of ["verdictAboveTooFew", "screenTitle", "screenSummary", "screenTooFewHead", "screenRegion"]) {
        expect(table[key]).toMatch(/\S/);
      }
    }
    expect(fill(ru.screenSummary ?? "", { n: 6, total: 85, th: 4, min: 200 })).toContain("6 из 85");
  });

  it("formats p-values for reading", () => {
    expect(formatP(0.5)).toBe("0.500");
    expect(formatP(0.0421)).toBe("0.042");
    expect(formatP(1)).toBe("1.000");
    expect(formatP(3.2e-12)).toBe("3.2 × 10⁻¹²");
    expect(formatP(0.000999)).toBe("1.0 × 10⁻³");
    expect(formatP(9.96e-5)).toBe("1.0 × 10⁻⁴");
    expect(formatP(0)).toBe("< 10⁻¹⁵");
    expect(formatP(4e-16)).toBe("< 10⁻¹⁵");
    expect(formatP(2e-15)).toBe("2.0 × 10⁻¹⁵");
    expect(formatP(Number.NaN)).toBe("–");
    expect(formatP(null)).toBe("–");
  });
});

describe("alert changes per rule", () => {
  const alert = (id: string, rule: string, version: number, state: Alert["state"] = "OPEN"): Alert => ({
    id, rule, severity: "WARNING", state, stationId: "", regionId: "ALA", value: 5, threshold: 4, message: "",
    reportIds: [], openedAt: "2026-03-01T20:00:00Z", updatedAt: "2026-03-01T20:00:00Z", resolvedAt: null,
    confidence: 1, version, texts: [],
  });

  it("counts new, updated and resolved alerts of a rule, not repeats or stale versions", () => {
    globalThis.requestAnimationFrame ??= ((cb: FrameRequestCallback) => setTimeout(() => cb(0), 0)) as typeof requestAnimationFrame;
    const s = new Store();
    s.upsertAlert(alert("integer_excess:ALA", "integer_excess", 1));
    s.upsertAlert(alert("integer_excess:ALA", "integer_excess", 1));
    s.upsertAlert(alert("turnout:ALA-1", "abnormal_turnout", 1));
    expect(s.ruleChanges.get("integer_excess")).toBe(1);
    s.upsertAlert(alert("integer_excess:ALA", "integer_excess", 2));
    s.upsertAlert(alert("integer_excess:ALA", "integer_excess", 1));
    s.upsertAlert(alert("integer_excess:ALA", "integer_excess", 3, "RESOLVED"));
    expect(s.ruleChanges.get("integer_excess")).toBe(3);
    expect(s.ruleChanges.get("abnormal_turnout")).toBe(1);
  });
});
