import { describe, expect, it } from "vitest";
import type { FindingsRow } from "../src/api/types";
import { readiness } from "../src/findings/readiness";
import { parseRoute } from "../src/router";

function q(phase: string, question: string, answered: number, no: number) {
  return { phase, question, stationsAnswered: answered, stationsAnsweredNo: no, shareNo: 0 };
}

const ROW: FindingsRow = {
  regionId: "AKM",
  stationsTotal: 10,
  stationsObserved: 7,
  violations: [],
  checklist: [
    q("readiness", "station_ready", 6, 2),
    q("readiness", "voter_list_available", 6, 1),
    q("readiness", "ballot_boxes_sealed", 5, 0),
    q("opening", "ballot_boxes_sealed", 4, 3),
  ],
};

describe("readiness", () => {
  it("counts ready, not ready and not reported stations from the readiness checklist only", () => {
    expect(readiness(ROW)).toEqual({
      total: 10,
      ready: 4,
      notReady: 2,
      notReported: 4,
      questions: [
        { question: "voter_list_available", no: 1 },
        { question: "ballot_boxes_sealed", no: 0 },
      ],
    });
  });

  it("has every station not reported before any readiness checklist", () => {
    const r = readiness({ ...ROW, checklist: [q("opening", "ballot_boxes_sealed", 4, 3)] });
    expect([r.ready, r.notReady, r.notReported, r.questions]).toEqual([0, 0, 10, []]);
  });

  it("is a route of its own", () => {
    expect(parseRoute("#/readiness").name).toBe("readiness");
  });
});
