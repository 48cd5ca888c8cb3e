import { describe, expect, it } from "vitest";
import { afterDecision, applyUpdate, correction, move, shortcut, type ProtocolVersion, type ReviewItem } from "../src/review/queue";

const item = (id: string, over: Partial<ReviewItem> = {}): ReviewItem => ({
  kind: "REPORT", id, regionId: "R1", stationId: "S1", type: "incident", at: "2026-03-15T10:00:00Z", priority: 1,
  state: "UNVERIFIED", decidedBy: null, note: "", claimedBy: null, callBack: null, callBackBy: null, callBackAt: null,
  callBackNote: "", ...over,
});

describe("review queue shortcuts", () => {
  it("maps keys to actions and leaves modified keys to the browser", () => {
    expect(shortcut({ key: "j" })).toEqual({ type: "move", by: 1 });
    expect(shortcut({ key: "ArrowUp" })).toEqual({ type: "move", by: -1 });
    expect(shortcut({ key: "v" })).toEqual({ type: "decide", state: "VERIFIED" });
    expect(shortcut({ key: "x" })).toEqual({ type: "decide", state: "REJECTED" });
    expect(shortcut({ key: "h" })).toEqual({ type: "decide", state: "QUARANTINED" });
    expect(shortcut({ key: "c" })).toEqual({ type: "claim" });
    expect(shortcut({ key: "v", ctrlKey: true })).toBeNull();
    expect(shortcut({ key: "z" })).toBeNull();
  });

  it("moves within the list", () => {
    expect(move(0, 3, 1)).toBe(1);
    expect(move(2, 3, 1)).toBe(2);
    expect(move(0, 3, -1)).toBe(0);
    expect(move(5, 2, 0)).toBe(1);
    expect(move(0, 0, 1)).toBe(-1);
  });
});

describe("a decision", () => {
  const queue = [item("a"), item("b"), item("c")];

  it("takes a decided item out of the queue and brings the next one up", () => {
    const out = afterDecision(queue, item("b", { state: "REJECTED" }), ["UNVERIFIED", "QUARANTINED"], 1);
    expect(out.items.map((i) => i.id)).toEqual(["a", "c"]);
    expect(out.selected).toBe(1);
    const last = afterDecision(queue, item("c", { state: "VERIFIED" }), ["UNVERIFIED"], 2);
    expect(last.selected).toBe(1);
  });

  it("keeps an item whose new state the queue shows, updated", () => {
    const out = afterDecision(queue, item("a", { state: "QUARANTINED", note: "held" }), ["UNVERIFIED", "QUARANTINED"], 0);
    expect(out.items.map((i) => [i.id, i.state])).toEqual([["a", "QUARANTINED"], ["b", "UNVERIFIED"], ["c", "UNVERIFIED"]]);
    expect(out.selected).toBe(0);
  });
});

describe("a protocol correction", () => {
  const version = (reportId: string, current: boolean, figures: Record<string, unknown>): ProtocolVersion => ({
    reportId, observedAt: "2026-03-15T20:30:00Z", receivedAt: "2026-03-15T20:31:00Z", monitorId: "M1", figures,
    verification: "UNVERIFIED", current,
  });

  it("shows the figures the counting version changed from the one before it", () => {
    const fixed = version("p2", true, { ballots_cast: 638, valid_ballots: 630, votes: { P01: 400 } });
    const first = version("p1", false, { ballots_cast: 700, valid_ballots: 630, votes: { P01: 410 } });
    expect(correction([fixed, first])).toEqual({
      current: fixed,
      previous: first,
      changed: [["ballots_cast", 700, 638], ["votes", { P01: 410 }, { P01: 400 }]],
    });
  });

  it("is none with one version, or when the oldest counts", () => {
    expect(correction([version("p1", true, {})])).toBeNull();
    expect(correction([version("p2", false, {}), version("p1", true, {})])).toBeNull();
  });
});

describe("a live update", () => {
  const shown = ["UNVERIFIED", "QUARANTINED"] as const;
  const queue = [
    item("g", { priority: 0, at: "2026-03-15T12:00:00Z" }),
    item("a", { at: "2026-03-15T09:00:00Z" }),
    item("c", { at: "2026-03-15T11:00:00Z" }),
  ];

  it("shows another desk's claim in place and keeps the selection on its item", () => {
    const out = applyUpdate(queue, item("a", { at: "2026-03-15T09:00:00Z", claimedBy: "api:org:k2" }), shown, 2);
    expect(out.items.map((i) => [i.id, i.claimedBy])).toEqual([["g", null], ["a", "api:org:k2"], ["c", null]]);
    expect(out.selected).toBe(2);
  });

  it("takes out an item decided elsewhere, keeping the selected one selected", () => {
    const out = applyUpdate(queue, item("a", { state: "REJECTED" }), shown, 2);
    expect(out.items.map((i) => i.id)).toEqual(["g", "c"]);
    expect(out.selected).toBe(1);
    const gone = applyUpdate(queue, item("c", { state: "VERIFIED" }), shown, 2);
    expect(gone.selected).toBe(1);
  });

  it("puts an item back in the queue's order when it is open again, and ignores decided ones it lacks", () => {
    const back = applyUpdate(queue, item("b", { at: "2026-03-15T10:00:00Z" }), shown, 0);
    expect(back.items.map((i) => i.id)).toEqual(["g", "a", "b", "c"]);
    expect(back.selected).toBe(0);
    const last = applyUpdate(queue, item("d", { at: "2026-03-15T13:00:00Z" }), shown, 0);
    expect(last.items.map((i) => i.id)).toEqual(["g", "a", "c", "d"]);
    expect(applyUpdate(queue, item("e", { state: "VERIFIED" }), shown, 1)).toEqual({ items: queue, selected: 1 });
  });
});
