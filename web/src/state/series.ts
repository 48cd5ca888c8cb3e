/** Turnout curves: merging regions' cumulative series into a national one, appending live points. */
import type { TurnoutPoint } from "../api/types";

export interface Point {
  t: number; // ms since epoch
  v: number; // turnout, percent
}

/**
 * The national cumulative curve from each region's cumulative series: at every bucket, the sum of each
 * region's latest known ballots (carried forward), over the national registered voters.
 */
export function nationalCurve(regions: TurnoutPoint[][], registeredVoters: number): Point[] {
  if (registeredVoters <= 0) return [];
  const times = new Set<number>();
  const parsed = regions.map((s) =>
    s.map((p) => ({ t: new Date(p.at).getTime(), b: p.ballotsIssued })).sort((a, b) => a.t - b.t),
  );
  for (const s of parsed) for (const p of s) times.add(p.t);
  const sorted = [...times].sort((a, b) => a - b);
  const cursor = parsed.map(() => -1);
  const out: Point[] = [];
  for (const t of sorted) {
    let sum = 0;
    parsed.forEach((s, r) => {
      while (cursor[r] + 1 < s.length && s[cursor[r] + 1].t <= t) cursor[r] += 1;
      if (cursor[r] >= 0) sum += s[cursor[r]].b;
    });
    out.push({ t, v: (100 * sum) / registeredVoters });
  }
  return out;
}

/**
 * Ballots as a share of all registered voters: the definition of the API's `turnoutSeries` (region and
 * station), so live points appended to a fetched curve continue it. (A roll-up's `turnoutPct` is
 * voter-weighted over the reporting stations only, a different figure.)
 */
export function shareOfRegistered(s: { ballotsIssued: number; registeredVoters: number }): number {
  return s.registeredVoters > 0 ? (100 * s.ballotsIssued) / s.registeredVoters : 0;
}

const HOUR_MS = 3_600_000;
/** How long a turnout chart spans at least, so one or two points sit in a readable day. */
export const MIN_SPAN_MS = 4 * HOUR_MS;
/** Up to how long after the last point the chart still runs on to "now" (a live election day). */
export const LIVE_TAIL_MS = 12 * HOUR_MS;

/**
 * The x range of a turnout chart, in SECONDS as uPlot wants them (its time scale reads seconds, not
 * the milliseconds our points carry): from the hour of the first point to the later of the last point
 * and `nowMs` (unless the data is long over), rounded up to the hour, at least MIN_SPAN_MS wide.
 */
export function timeAxisRange(timesMs: number[], nowMs: number): [number, number] {
  let first = Infinity;
  let last = -Infinity;
  for (const t of timesMs) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  if (!Number.isFinite(first)) {
    first = nowMs - MIN_SPAN_MS;
    last = nowMs;
  }
  const lo = Math.floor(first / HOUR_MS) * HOUR_MS;
  let hi = nowMs >= last && nowMs - last <= LIVE_TAIL_MS ? nowMs : last;
  hi = Math.max(Math.ceil(hi / HOUR_MS) * HOUR_MS, lo + MIN_SPAN_MS);
  return [lo / 1000, hi / 1000];
}

export function toPoints(series: TurnoutPoint[]): Point[] {
  return series.map((p) => ({ t: new Date(p.at).getTime(), v: p.turnoutPct })).sort((a, b) => a.t - b.t);
}

/**
 * Appends a live point, keeping time order: a point no newer than the last replaces it when within
 * `mergeMs` (the curve stays small under a stream of updates), and the curve keeps at most `max` points.
 */
export function appendPoint(curve: Point[], p: Point, mergeMs = 10_000, max = 2000): Point[] {
  const last = curve[curve.length - 1];
  if (last && p.t < last.t) return curve;
  const next = last && p.t - last.t < mergeMs && curve.length > 1 && p.t - curve[curve.length - 2].t < mergeMs
    ? [...curve.slice(0, -1), p]
    : [...curve, p];
  return next.length > max ? next.slice(next.length - max) : next;
}
