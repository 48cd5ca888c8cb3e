import { describe, expect, it } from "vitest";
import { SequenceTracker } from "../src/api/sequence";

describe("SequenceTracker", () => {
  it("accepts 1, 2, 3 without gaps", () => {
    const s = new SequenceTracker();
    expect([1, 2, 3].map((n) => s.accept(n))).toEqual(["first", "next", "next"]);
    expect(s.gaps).toBe(0);
  });

  it("reports a jump as a gap and counts the missed messages", () => {
    const s = new SequenceTracker();
    s.accept(1);
    s.accept(2);
    expect(s.accept(5)).toBe("gap");
    expect(s.missed).toBe(2);
    expect(s.accept(6)).toBe("next");
    expect(s.gaps).toBe(1);
  });

  it("ignores repeats and older numbers", () => {
    const s = new SequenceTracker();
    s.accept(1);
    s.accept(2);
    expect(s.accept(2)).toBe("stale");
    expect(s.accept(1)).toBe("stale");
    expect(s.lastSeq).toBe(2);
  });

  it("a stream that does not start at 1 has missed its beginning", () => {
    const s = new SequenceTracker();
    expect(s.accept(4)).toBe("gap");
    expect(s.missed).toBe(3);
  });

  it("starts over after reset (a new subscription numbers from 1 again)", () => {
    const s = new SequenceTracker();
    s.accept(1);
    s.accept(2);
    s.accept(3);
    s.reset();
    expect(s.accept(1)).toBe("first");
    expect(s.accept(2)).toBe("next");
  });
});
