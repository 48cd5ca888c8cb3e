import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { gql } from "../api/graphql";
import { STATIONS_PAGE } from "../api/queries";
import type { StationRow, StationStatus } from "../api/types";
import { VirtualList } from "../components/VirtualList";
import { ago, int, pct } from "../format";
import { href } from "../router";
import type { Controller } from "../state/controller";
import { useNow, useStore } from "../state/hooks";
import { t } from "../strings";
import { catalogText } from "../strings/catalog";

const PAGE = 200;
const ROW_HEIGHT = 40;

export const STATUS_KEY = { REPORTING: "statusReporting", SILENT: "statusSilent", NO_DATA: "statusNoData" } as const;

interface Filters {
  region: string;
  status: string;
  alerts: boolean;
  /** A findings cell's stations: a violation code, or "<phase>.<question>" answered no. */
  violation: string;
  no: string;
}

/** Whether a live row still belongs in a list loaded with `f` (rows are not dropped, only dimmed). */
function matches(row: StationRow, f: Filters): boolean {
  return (!f.status || row.status === f.status) && (!f.alerts || (row.stats?.openAlerts ?? 0) > 0);
}

export function StationsView({ ctl, params }: { ctl: Controller; params: URLSearchParams }) {
  const { store } = ctl;
  useStore(store);
  const now = useNow(5000);
  const filters: Filters = {
    region: params.get("region") ?? "",
    status: params.get("status") ?? "",
    alerts: params.get("alerts") === "1",
    violation: params.get("violation") ?? "",
    no: params.get("no") ?? "",
  };
  const fkey = `${filters.region}|${filters.status}|${filters.alerts}|${filters.violation}|${filters.no}`;
  const [rows, setRows] = useState<StationRow[]>([]);
  const [done, setDone] = useState(false);
  const cursor = useRef<string | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);

  const loadMore = useCallback(async () => {
    if (loading.current) return;
    loading.current = true;
    const gen = generation.current;
    try {
      const { data } = await gql<{ stations: { nodes: StationRow[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }>(
        ctl.key,
        STATIONS_PAGE,
        {
          region: filters.region || null,
          status: filters.status || null,
          alerts: filters.alerts || null,
          violation: filters.violation || null,
          no: filters.no || null,
          after: cursor.current,
          first: PAGE,
        },
      );
      if (gen !== generation.current) return;
      cursor.current = data.stations.pageInfo.endCursor;
      setRows((r) => [...r, ...data.stations.nodes]);
      setDone(!data.stations.pageInfo.hasNextPage);
    } finally {
      loading.current = false;
    }
  }, [fkey]);

  useEffect(() => {
    generation.current += 1;
    cursor.current = null;
    loading.current = false;
    setRows([]);
    setDone(false);
    void loadMore();
  }, [fkey]);

  const onRange = (_first: number, last: number) => {
    if (!done && !loading.current && last > rows.length - 60) void loadMore();
  };

  const setFilter = (patch: Partial<Filters>) => {
    const f = { ...filters, ...patch };
    location.hash = href("stations", undefined, {
      region: f.region,
      status: f.status,
      alerts: f.alerts ? "1" : undefined,
      violation: f.violation,
      no: f.no,
    });
  };

  const regions = [...store.regions.values()].sort((a, b) => a.name.localeCompare(b.name));
  const renderRow = (i: number) => {
    const base = rows[i];
    const row = store.stations.get(base.id) ?? base;
    const s = row.stats;
    return (
      <a class={`srow${matches(row, filters) ? "" : " stale"}`} href={href("station", row.id)} data-station={row.id}>
        <span class="c-id mono">{row.id}</span>
        <span class="c-name" title={row.name}>
          {row.name}
        </span>
        <span class="c-status">
          <span class={`pill st-${row.status.toLowerCase()}`}>{t(STATUS_KEY[row.status as StationStatus] ?? "statusNoData")}</span>
        </span>
        <span class="c-num" data-col="turnout">{pct(s?.turnoutPct)}</span>
        <span class="c-num">{int(s?.ballotsIssued)}</span>
        <span class="c-num">{s && s.openAlerts > 0 ? <span class="pill pill-alert">{s.openAlerts}</span> : int(s?.openAlerts)}</span>
        <span class="c-time muted">{ago(s?.lastReportAt, now)}</span>
      </a>
    );
  };

  return (
    <section class="card stations" aria-labelledby="stations-title">
      <div class="toolbar">
        <h1 id="stations-title">{t("navStations")}</h1>
        <label>
          <span class="visually-hidden">{t("region")}</span>
          <select value={filters.region} onChange={(e) => setFilter({ region: (e.target as HTMLSelectElement).value })} data-testid="filter-region">
            <option value="">{t("allRegions")}</option>
            {regions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="visually-hidden">{t("status")}</span>
          <select value={filters.status} onChange={(e) => setFilter({ status: (e.target as HTMLSelectElement).value })} data-testid="filter-status">
            <option value="">{t("allStatuses")}</option>
            {(Object.keys(STATUS_KEY) as StationStatus[]).map((s) => (
              <option key={s} value={s}>
                {t(STATUS_KEY[s])}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={filters.alerts} onChange={(e) => setFilter({ alerts: (e.target as HTMLInputElement).checked })} />
          {t("onlyOpenAlerts")}
        </label>
        {(filters.violation || filters.no) && (
          <span class="chip" data-testid="finding-filter">
            {t("stationsBehindFinding", { what: findingName(filters) })}{" "}
            <button type="button" class="link" onClick={() => setFilter({ violation: "", no: "" })}>
              {t("showAllStations")}
            </button>
          </span>
        )}
        <span class="muted small" aria-live="polite">
          {t("loaded", { n: int(rows.length) })}
          {!done && rows.length > 0 ? " …" : ""}
        </span>
      </div>
      <div role="table" aria-label={t("stationsList")} class="vtable">
        <div role="row" class="srow shead">
          <span class="c-id" role="columnheader">{t("stationId")}</span>
          <span class="c-name" role="columnheader">{t("station")}</span>
          <span class="c-status" role="columnheader">{t("status")}</span>
          <span class="c-num" role="columnheader">{t("turnoutPct")}</span>
          <span class="c-num" role="columnheader">{t("ballots")}</span>
          <span class="c-num" role="columnheader">{t("openAlerts")}</span>
          <span class="c-time" role="columnheader">{t("lastReport")}</span>
        </div>
        <VirtualList count={rows.length} rowHeight={ROW_HEIGHT} renderRow={renderRow} onRange={onRange} label={t("stationsList")} />
      </div>
    </section>
  );
}

/** What a findings filter counts, in the reader's language. */
function findingName(f: Filters): string {
  if (f.violation) return catalogText("violation", f.violation);
  const [phase, question] = f.no.split(".", 2);
  return `${catalogText("phase", phase)}: ${catalogText("checklist", question ?? "")} – ${t("no")}`;
}
