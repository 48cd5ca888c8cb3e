/**
 * The findings matrix (pure): regions × violation types and checklist questions, each cell the share
 * of the region's observed stations concerned, a colour level, and the stations filter behind it.
 */
import type { Findings, FindingsRow, RegionFindings } from "../api/types";

export type Column =
  | { kind: "violation"; code: string }
  | { kind: "question"; phase: string; question: string; critical: boolean };

/** The stations a cell counts, as the stations list's `violation` / `no` parameters. */
export interface CellFilter {
  violation?: string;
  no?: string;
}

export interface Cell {
  stations: number;
  share: number;
  level: 0 | 1 | 2 | 3 | 4;
  filter: CellFilter;
}

/** Lower bounds of the colour levels 2..4 (a share); level 1 is any station at all. */
export const LEVELS = [0.05, 0.15, 0.3] as const;

export function level(stations: number, share: number): Cell["level"] {
  if (stations === 0) return 0;
  return (1 + LEVELS.filter((bound) => share >= bound).length) as Cell["level"];
}

export function questionKey(c: { phase: string; question: string }): string {
  return `${c.phase}.${c.question}`;
}

/** Violations in the API's (catalog) order, then each phase's questions in the checklists file's order. */
export function columns(f: RegionFindings): Column[] {
  return [
    ...f.violations.map((v): Column => ({ kind: "violation", code: v.violation })),
    ...f.checklist.map((q): Column => ({ kind: "question", phase: q.phase, question: q.question, critical: q.critical })),
  ];
}

/** Column groups for the header: the violations, then one per phase, with how many columns each spans. */
export function groups(cols: Column[]): { group: string; span: number }[] {
  const out: { group: string; span: number }[] = [];
  for (const c of cols) {
    const group = c.kind === "violation" ? "violations" : c.phase;
    const last = out[out.length - 1];
    if (last?.group === group) last.span += 1;
    else out.push({ group, span: 1 });
  }
  return out;
}

export function cell(row: FindingsRow, col: Column): Cell {
  if (col.kind === "violation") {
    const v = row.violations.find((x) => x.violation === col.code);
    const stations = v?.stationsReported ?? 0;
    const share = v?.share ?? 0;
    return { stations, share, level: level(stations, share), filter: { violation: col.code } };
  }
  const key = questionKey(col);
  const q = row.checklist.find((x) => questionKey(x) === key);
  const stations = q?.stationsAnsweredNo ?? 0;
  const share = q?.shareNo ?? 0;
  return { stations, share, level: level(stations, share), filter: { no: key } };
}

/** The findings with one live update applied: regionId null replaces the national row, else the region's. */
export function applyUpdate(f: Findings, row: RegionFindings): Findings {
  if (row.regionId === null) return { ...f, national: row };
  const regions = f.regions.some((r) => r.regionId === row.regionId)
    ? f.regions.map((r) => (r.regionId === row.regionId ? row : r))
    : [...f.regions, row];
  return { ...f, regions };
}
