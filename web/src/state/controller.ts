/**
 * Wires the store to the API for one session: snapshots by query, updates by subscription, and a
 * re-query whenever a subscription reports a gap or the connection came back.
 */
import { gql } from "../api/graphql";
import type { Live } from "../api/live";
import * as Q from "../api/queries";
import { roleIncludes, type Alert, type Overview, type Region, type RegionStats, type StationRow, type TurnoutPoint } from "../api/types";
import { nationalCurve, toPoints } from "./series";
import type { Store } from "./store";

export const SERIES_BUCKET_MINUTES = 15;

/** A function that runs `fn` at most once at a time, and once more if asked again meanwhile. */
export function coalesce(fn: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    fn()
      .catch((e: unknown) => console.warn("refresh failed", e))
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return run;
}

export class Controller {
  readonly refreshOverview: () => void;
  readonly refreshRegions: () => void;
  readonly refreshAlerts: () => void;
  private disposers: (() => void)[] = [];
  queryFields = new Set<string>();

  constructor(
    readonly key: string,
    readonly live: Live,
    readonly store: Store,
    readonly role: string,
  ) {
    this.refreshOverview = coalesce(async () => {
      const { data } = await gql<{ overview: Overview }>(key, Q.OVERVIEW);
      store.setOverview(data.overview);
    });
    this.refreshRegions = coalesce(async () => {
      const { data } = await gql<{ regions: Region[]; defaultTimezone: string }>(key, Q.REGIONS);
      store.setRegions(data.regions, data.defaultTimezone);
    });
    this.refreshAlerts = coalesce(async () => {
      const { data } = await gql<{ alerts: { nodes: Alert[] } }>(key, Q.ALERTS, { first: 200 });
      for (const a of data.alerts.nodes) store.upsertAlert(a);
    });
  }

  get canSeeStations(): boolean {
    return roleIncludes(this.role, "partner");
  }

  /** Coordinators decide alerts (a region-scoped key: the API refuses other regions' alerts). */
  get canActOnAlerts(): boolean {
    return roleIncludes(this.role, "coordinator");
  }

  /** Coordinators and admins work the review queue (docs/desk.md). */
  get canReview(): boolean {
    return roleIncludes(this.role, "coordinator");
  }

  get canSeeMonitors(): boolean {
    return roleIncludes(this.role, "coordinator");
  }

  start(): void {
    const { live, store } = this;
    this.refreshOverview();
    this.refreshRegions();
    void this.loadCurves();
    void this.loadQueryFields();
    this.disposers.push(
      live.subscribe<{ overview: Overview }>({
        query: Q.OVERVIEW_LIVE,
        select: (d) => d.overviewUpdated as { seq: number; overview: Overview },
        onValue: (v) => store.setOverview(v.overview),
        resync: this.refreshOverview,
      }),
      live.subscribe<{ region: { id: string; stats: RegionStats | null } }>({
        query: Q.REGIONS_LIVE,
        select: (d) => d.regionUpdated as { seq: number; region: { id: string; stats: RegionStats | null } },
        onValue: (v) => store.updateRegionStats(v.region.id, v.region.stats),
        resync: this.refreshRegions,
      }),
    );
    if (this.canSeeStations) {
      this.refreshAlerts();
      this.disposers.push(
        live.subscribe<{ alert: Alert }>({
          query: Q.ALERTS_LIVE,
          variables: { min: "INFO" },
          select: (d) => d.alertRaised as { seq: number; alert: Alert },
          onValue: (v) => store.upsertAlert(v.alert),
          resync: this.refreshAlerts,
        }),
        live.subscribe<{ station: StationRow }>({
          query: Q.STATIONS_LIVE,
          select: (d) => d.stationUpdated as { seq: number; station: StationRow },
          onValue: (v) => store.updateStation(v.station, Date.now()),
          // Station rows are re-read by the views that show them (the list pages, the station page).
          resync: () => store.changed(),
        }),
      );
    }
  }

  /** Each region's cumulative series, and the national curve summed from them. */
  async loadCurves(): Promise<void> {
    if (this.store.regions.size === 0) {
      const { data } = await gql<{ regions: Region[]; defaultTimezone: string }>(this.key, Q.REGIONS);
      this.store.setRegions(data.regions, data.defaultTimezone);
    }
    const ids = [...this.store.regions.keys()];
    const all = await Promise.all(
      ids.map(async (id) => {
        const { data } = await gql<{ turnoutSeries: TurnoutPoint[] }>(this.key, Q.REGION_SERIES, {
          region: id,
          bucket: SERIES_BUCKET_MINUTES,
        });
        return data.turnoutSeries;
      }),
    );
    ids.forEach((id, i) => {
      const live = this.store.regionCurves.get(id) ?? [];
      const base = toPoints(all[i]);
      const lastBase = base.length ? base[base.length - 1].t : 0;
      this.store.regionCurves.set(id, [...base, ...live.filter((p) => p.t > lastBase)]);
    });
    const voters = this.store.overview?.national?.registeredVoters
      ?? [...this.store.regions.values()].reduce((s, r) => s + (r.stats?.registeredVoters ?? 0), 0);
    const base = nationalCurve(all, voters);
    const lastBase = base.length ? base[base.length - 1].t : 0;
    this.store.nationalCurve = [...base, ...this.store.nationalCurve.filter((p) => p.t > lastBase)];
    this.store.changed();
  }

  /** Which Query fields this API has (the forensics view appears only when the API exposes it). */
  private async loadQueryFields(): Promise<void> {
    try {
      const { data } = await gql<{ __type: { fields: { name: string }[] } | null }>(this.key, Q.QUERY_FIELDS);
      this.queryFields = new Set(data.__type?.fields.map((f) => f.name) ?? []);
      this.store.changed();
    } catch {
      // Introspection may be disabled in production: ask for the field itself instead.
      await this.probeForensics();
    }
  }

  /** Whether `forensics` is a Query field, without introspection (an unknown field fails validation). */
  private async probeForensics(): Promise<void> {
    try {
      await gql<{ forensics: unknown }>(this.key, Q.FORENSICS_PROBE);
      this.queryFields.add("forensics");
      this.store.changed();
    } catch {
      // No such field (or no answer): the view stays out of the navigation.
    }
  }

  dispose(): void {
    for (const d of this.disposers) d();
    this.disposers = [];
  }
}
