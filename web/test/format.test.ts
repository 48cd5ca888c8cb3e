import { afterEach, describe, expect, it } from "vitest";
import { ago, clock, int, num, pct } from "../src/format";
import { fill, pickNumberLocale, setLocale } from "../src/strings";

describe("formatting", () => {
  afterEach(() => setLocale("en"));

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
    setLocale("ru");
    expect(ago("2026-03-01T09:00:00Z", now)).toBe("3 ч назад");
    setLocale("kk");
    expect(ago("2026-03-01T11:57:00Z", now)).toBe("3 мин. бұрын");
  });

  it("formats numbers, percentages and times per locale", () => {
    setLocale("ru");
    expect(int(1234567)).toBe("1\u00a0234\u00a0567");
    expect(pct(42.456, 2)).toBe("42,46\u00a0%");
    expect(num(3.5, 1)).toBe("3,5");
    setLocale("kk");
    expect(pct(42.456, 1)).toBe("42,5%");
    expect(int(1234567)).toBe("1\u00a0234\u00a0567");
    setLocale("en");
    expect(clock(new Date(2026, 2, 1, 0, 5, 9).getTime())).toBe("00:05:09"); // not "24:05:09"
  });

  it("formats Kazakh numbers by Russian rules where the browser has no Kazakh number data", () => {
    // Chromium's ICU data formats "kk" as the root locale; Node's (full ICU) knows Kazakh.
    expect(pickNumberLocale("kk", "1,234.5")).toBe("ru");
    expect(pickNumberLocale("kk", "1\u00a0234,5")).toBe("kk");
    expect(pickNumberLocale("en", "1,234.5")).toBe("en");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(fill("{a} of {b}", { a: 1, b: "two" })).toBe("1 of two");
    expect(fill("{a} {zzz}", { a: 1 })).toBe("1 {zzz}");
  });
});
