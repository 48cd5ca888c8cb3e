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
