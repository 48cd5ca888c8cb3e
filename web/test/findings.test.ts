import { describe, expect, it } from "vitest";
import type { RegionFindings } from "../src/api/types";
import { applyUpdate, cell, columns, groups, level } from "../src/findings/matrix";

const REGION: RegionFindings = {
  regionId: "AKM",
  stationsTotal: 10,
  stationsObserved: 8,
  observedShare: 0.8,
  violations: [
    { violation: "ballot_stuffing", stationsReported: 3, stationsCorroborated: 1, share: 0.375 },
    { violation: "family_voting", stationsReported: 0, stationsCorroborated: 0, share: 0 },
  ],
  checklist: [
    { phase: "readiness", question: "station_ready", critical: true, stationsAnswered: 8, stationsAnsweredNo: 1, shareNo: 0.125 },
    { phase: "opening", question: "ballot_boxes_sealed", critical: true, stationsAnswered: 7, stationsAnsweredNo: 0, shareNo: 0 },
    { phase: "opening", question: "voter_list_available", critical: false, stationsAnswered: 7, stationsAnsweredNo: 2, shareNo: 0.25 },
  ],
};

describe("findings matrix", () => {
  it("has a column per violation, then per question grouped by phase", () => {
    const cols = columns(REGION);
    expect(cols.map((c) => (c.kind === "violation" ? c.code : `${c.phase}.${c.question}`))).toEqual([
      "ballot_stuffing",
      "family_voting",
      "readiness.station_ready",
      "opening.ballot_boxes_sealed",
      "opening.voter_list_available",
    ]);
    expect(groups(cols)).toEqual([
      { group: "violations", span: 2 },
      { group: "readiness", span: 1 },
      { group: "opening", span: 2 },
    ]);
  });

  it("gives each cell its stations, share, colour level and the stations filter behind it", () => {
    const [stuffing, family, ready, sealed, list] = columns(REGION).map((c) => cell(REGION, c));
    expect(stuffing).toEqual({ stations: 3, share: 0.375, level: 4, filter: { violation: "ballot_stuffing" } });
    expect(family).toEqual({ stations: 0, share: 0, level: 0, filter: { violation: "family_voting" } });
    expect(ready).toEqual({ stations: 1, share: 0.125, level: 2, filter: { no: "readiness.station_ready" } });
    expect(sealed.level).toBe(0);
    expect(list).toEqual({ stations: 2, share: 0.25, level: 3, filter: { no: "opening.voter_list_available" } });
  });

  it("colours one station at all apart from none, then by share", () => {
    expect([level(0, 0), level(1, 0.001), level(1, 0.05), level(5, 0.15), level(9, 0.3), level(9, 1)]).toEqual([0, 1, 2, 3, 4, 4]);
  });

  it("applies a live row: the national one, a known region's, or a new region's", () => {
    const before = { national: { ...REGION, regionId: null }, regions: [REGION] };
    const moved = { ...REGION, stationsObserved: 9 };
    const national = { ...REGION, regionId: null, stationsObserved: 20 };
    const other = { ...REGION, regionId: "ALA" };
    const after = [moved, national, other].reduce(applyUpdate, before);
    expect(after.national.stationsObserved).toBe(20);
    expect(after.regions.map((r) => [r.regionId, r.stationsObserved])).toEqual([["AKM", 9], ["ALA", 8]]);
    expect(before.regions[0].stationsObserved).toBe(8);
  });
});
