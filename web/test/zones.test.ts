import { afterEach, describe, expect, it } from "vitest";
import { setLocale } from "../src/strings";
import { clocksDiffer, localClock, offsetLabel, zoneLabel, zoneOf, type Zones } from "../src/zones";

// Kazakhstan in January 2012: Aktobe at UTC+5, Almaty (the election's zone) at UTC+6; since March 2024
// both at UTC+5.
const KZ: Zones = { election: "Asia/Almaty", regions: new Map([["AKT", "Asia/Aqtobe"], ["ALA", "Asia/Almaty"]]) };
const IN_2012 = "2012-01-15T04:05:09Z";
const IN_2026 = "2026-12-05T04:05:09Z";

describe("local time", () => {
  afterEach(() => setLocale("en"));

  it("labels offsets the same in every language", () => {
    expect(offsetLabel("Asia/Aqtobe", Date.parse(IN_2012))).toBe("UTC+5");
    expect(offsetLabel("Asia/Kathmandu", Date.parse(IN_2012))).toBe("UTC+5:45");
    expect(offsetLabel("America/St_Johns", Date.parse(IN_2012))).toBe("UTC\u22123:30");
    expect(offsetLabel("UTC", Date.parse(IN_2012))).toBe("UTC±0");
  });

  it("reads a region's times on its own clock, others on the election's", () => {
    expect(zoneOf(KZ, "AKT")).toBe("Asia/Aqtobe");
    expect(zoneOf(KZ, "XXX")).toBe("Asia/Almaty");
    expect(zoneOf(KZ, null)).toBe("Asia/Almaty");
    expect(zoneOf({ election: null, regions: new Map() }, "AKT")).toBeNull();
  });

  it("labels times with their zone only while the regions' clocks differ", () => {
    expect(clocksDiffer(KZ, Date.parse(IN_2012))).toBe(true);
    expect(localClock(KZ, IN_2012, "AKT")).toBe("09:05:09 UTC+5");
    expect(localClock(KZ, IN_2012, "ALA")).toBe("10:05:09 UTC+6");
    expect(localClock(KZ, IN_2012)).toBe("10:05:09 UTC+6");
    expect(zoneLabel(KZ, Date.parse(IN_2012), "AKT")).toBe("UTC+5");
    // One offset for the whole country today: local times, no label.
    expect(clocksDiffer(KZ, Date.parse(IN_2026))).toBe(false);
    expect(localClock(KZ, IN_2026, "AKT")).toBe("09:05:09");
    expect(zoneLabel(KZ, Date.parse(IN_2026), "AKT")).toBeNull();
    expect(localClock(KZ, null, "AKT")).toBe("–");
  });

  it("keeps the label in Russian and Kazakh", () => {
    setLocale("ru");
    expect(localClock(KZ, IN_2012, "AKT")).toBe("09:05:09 UTC+5");
    setLocale("kk");
    expect(localClock(KZ, IN_2012, "ALA")).toBe("10:05:09 UTC+6");
  });
});
