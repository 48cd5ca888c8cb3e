/**
 * Local time: every time a station, region or alert shows is read on its region's clock (the API's
 * Region.timezone), national ones on the election's (Query.defaultTimezone). Where the regions' clocks
 * differ at that moment, a time carries its zone's offset ("10:05:00 UTC+5").
 */
import { clock } from "./format";
import { t } from "./strings";

/** Where each region's times are read: the registry's zones, and the election's for the rest. */
export interface Zones {
  /** The election's IANA zone; null until the API said (times then read on the browser's clock). */
  readonly election: string | null;
  /** Region id → IANA zone. */
  readonly regions: ReadonlyMap<string, string>;
}

export const NO_ZONES: Zones = { election: null, regions: new Map() };

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC on `zone`'s clock at `ms` (Aktobe in 2012: 300). */
export function offsetMinutes(zone: string, ms: number): number {
  let f = offsetFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    offsetFormats.set(zone, f);
  }
  // "GMT+05:00", "GMT-03:30", or "GMT" at UTC itself.
  const name = f.formatToParts(ms).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  const m = /([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** "UTC+5", "UTC+5:45", "UTC−3:30", "UTC±0": the same in every language. */
export function offsetLabel(zone: string, ms: number): string {
  const off = offsetMinutes(zone, ms);
  if (off === 0) return "UTC±0";
  const abs = Math.abs(off);
  const mins = abs % 60 ? `:${String(abs % 60).padStart(2, "0")}` : "";
  return `UTC${off < 0 ? "\u2212" : "+"}${Math.floor(abs / 60)}${mins}`;
}

/** The zone `region`'s times read in: its own, else the election's (null: the browser's). */
export function zoneOf(zones: Zones, region?: string | null): string | null {
  return (region != null ? zones.regions.get(region) : undefined) ?? zones.election;
}

// Offsets change only on a quarter hour of UTC (every zone's offset is a multiple of 15 min and
// clocks change on a local :00 or :30), so one answer per zones and quarter hour serves a whole list.
const QUARTER_MS = 900_000;
const differ = new WeakMap<Zones, Map<number, boolean>>();

/** Whether the regions' clocks (and the election's) show different times at `ms`. */
export function clocksDiffer(zones: Zones, ms: number): boolean {
  let known = differ.get(zones);
  if (!known) {
    known = new Map();
    differ.set(zones, known);
  }
  const quarter = Math.floor(ms / QUARTER_MS);
  let answer = known.get(quarter);
  if (answer === undefined) {
    const distinct = new Set(zones.regions.values());
    if (zones.election) distinct.add(zones.election);
    answer = distinct.size > 1 && new Set([...distinct].map((z) => offsetMinutes(z, ms))).size > 1;
    known.set(quarter, answer);
  }
  return answer;
}

/** `iso` on `region`'s clock ("10:05:00"), with its offset where the regions' clocks differ. */
export function localClock(zones: Zones, iso: string | number | null | undefined, region?: string | null): string {
  if (iso == null) return "–";
  const ms = new Date(iso).getTime();
  const zone = zoneOf(zones, region);
  const text = clock(ms, zone);
  if (Number.isNaN(ms) || zone === null || !clocksDiffer(zones, ms)) return text;
  return t("timeInZone", { t: text, zone: offsetLabel(zone, ms) });
}

/** The offset to label a region's times with at `ms`, or null while all clocks agree. */
export function zoneLabel(zones: Zones, ms: number, region?: string | null): string | null {
  const zone = zoneOf(zones, region);
  return zone !== null && clocksDiffer(zones, ms) ? offsetLabel(zone, ms) : null;
}
