import { describe, expect, it } from "vitest";
import { ago, int, num, pct } from "../src/format";
import { fill } from "../src/strings";
import { en } from "../src/strings/en";
import { kk } from "../src/strings/kk";
import { ru } from "../src/strings/ru";

describe("formatting", () => {
  it("formats integers with grouping and percentages with fixed digits", () => {
    expect(int(1234567)).toBe("1,234,567");
    expect(pct(42.456, 2)).toBe("42.46%");
    expect(pct(null)).toBe("–");
    expect(num(Number.NaN)).toBe("–");
  });

  it("says how long ago", () => {
    const now = Date.parse("2026-03-01T12:00:00Z");
    expect(ago("2026-03-01T11:59:55Z", now)).toBe("5 s ago");
    expect(ago("2026-03-01T11:57:00Z", now)).toBe("3 min ago");
    expect(ago("2026-03-01T09:00:00Z", now)).toBe("3 h ago");
    expect(ago(null, now)).toBe("–");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(fill("{a} of {b}", { a: 1, b: "two" })).toBe("1 of two");
    expect(fill("{a} {zzz}", { a: 1 })).toBe("1 {zzz}");
  });

  it("translations only use keys the English table has", () => {
    for (const table of [ru, kk]) for (const k of Object.keys(table)) expect(en).toHaveProperty(k);
  });
});
