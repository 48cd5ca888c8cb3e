/**
 * The dashboard's live data: snapshots from queries overlaid with subscription updates.
 * Listeners are told at most every `NOTIFY_MS` (batched on an animation frame), so a stream of
 * thousands of updates a second costs one render a few times a second, not one per message.
 */
import type { Alert, Overview, Region, RegionStats, StationRow } from "../api/types";
import { NO_ZONES, type Zones } from "../zones";
import { RollingRate } from "./rate";
import { appendPoint, shareOfRegistered, type Point } from "./series";

export const NOTIFY_MS = 250;

export class Store {
  overview: Overview | null = null;
  nationalCurve: Point[] = [];
  regions = new Map<string, Region>();
  /** Each region's zone and the election's, as the API gives them (src/zones.ts). */
  zones: Zones = NO_ZONES;
  regionCurves = new Map<string, Point[]>();
  stations = new Map<string, StationRow>();
  alerts = new Map<string, Alert>();
  reportsRate = new RollingRate(60);
  /** How many alert changes of each rule arrived (views that depend on a rule re-query on a change). */
  ruleChanges = new Map<string, number>();
  /** Bumped on every change; views compare it to decide whether to re-render. */
  version = 0;

  private listeners = new Set<() => void>();
  private scheduled = false;
  private lastNotify = 0;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    this.version += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = Math.max(0, this.lastNotify + NOTIFY_MS - performance.now());
    setTimeout(() => requestAnimationFrame(() => this.flush()), wait);
  }

  private flush(): void {
    this.scheduled = false;
    this.lastNotify = performance.now();
    for (const l of this.listeners) l();
  }

  setOverview(o: Overview): void {
    this.overview = o;
    const n = o.national;
    if (n) this.nationalCurve = appendPoint(this.nationalCurve, { t: Date.parse(n.updatedAt), v: shareOfRegistered(n) });
    this.changed();
  }

  setRegions(list: Region[], election: string | null = this.zones.election): void {
    for (const r of list) this.regions.set(r.id, r);
    const regions = new Map([...this.regions.values()].filter((r) => r.timezone).map((r) => [r.id, r.timezone]));
    this.zones = { election, regions };
    this.changed();
  }

  updateRegionStats(id: string, stats: RegionStats | null): void {
    const r = this.regions.get(id);
    if (!r || !stats) return;
    this.regions.set(id, { ...r, stats });
    const curve = this.regionCurves.get(id) ?? [];
    this.regionCurves.set(id, appendPoint(curve, { t: Date.parse(stats.updatedAt), v: shareOfRegistered(stats) }));
    this.changed();
  }

  /** A station's latest row; counts its new reports towards the reports-per-minute rate. */
  updateStation(row: StationRow, now: number): void {
    const prev = this.stations.get(row.id);
    const before = prev?.stats?.reportsProcessed;
    const after = row.stats?.reportsProcessed;
    if (before != null && after != null && after > before) this.reportsRate.add(now, after - before);
    // First sight of a station whose latest report is recent: at least that report counts.
    const last = row.stats?.lastReportAt ? Date.parse(row.stats.lastReportAt) : NaN;
    if (before == null && now - last < 60_000) this.reportsRate.add(now, 1);
    this.stations.set(row.id, row);
    this.changed();
  }

  upsertAlert(a: Alert): void {
    const prev = this.alerts.get(a.id);
    if (prev && prev.version > a.version) return;
    this.alerts.set(a.id, a);
    if (!prev || prev.version !== a.version || prev.state !== a.state) this.ruleChanges.set(a.rule, (this.ruleChanges.get(a.rule) ?? 0) + 1);
    this.changed();
  }

  /** Alerts, most recently changed first. */
  alertList(): Alert[] {
    return [...this.alerts.values()].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || (a.id < b.id ? 1 : -1));
  }
}
