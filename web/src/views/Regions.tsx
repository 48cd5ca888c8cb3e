import { useState } from "preact/hooks";
import type { Region } from "../api/types";
import { Sparkline } from "../components/Sparkline";
import { int, num, pct } from "../format";
import { href } from "../router";
import type { Controller } from "../state/controller";
import { useStore } from "../state/hooks";
import { t } from "../strings";
import type { StringKey } from "../strings/en";
import { zoneLabel } from "../zones";

type Col = "name" | "ballots" | "turnout" | "rate" | "home" | "incidents" | "alerts";

const COLUMNS: { col: Col; label: StringKey; value: (r: Region) => number | string }[] = [
  { col: "name", label: "region", value: (r) => r.name || r.id },
  { col: "ballots", label: "turnout", value: (r) => r.stats?.ballotsIssued ?? -1 },
  { col: "turnout", label: "turnoutPct", value: (r) => r.stats?.turnoutPct ?? -1 },
  { col: "rate", label: "turnoutRate", value: (r) => r.stats?.turnoutRatePpPerHour ?? -1 },
  { col: "home", label: "homeVotingPct", value: (r) => r.stats?.homeVotingPct ?? -1 },
  { col: "incidents", label: "incidentsPer100", value: (r) => r.stats?.incidentsPer100Stations ?? -1 },
  { col: "alerts", label: "openAlerts", value: (r) => r.stats?.openAlerts ?? -1 },
];

export function sortRegions(list: Region[], col: Col, desc: boolean): Region[] {
  const value = COLUMNS.find((c) => c.col === col)!.value;
  return [...list].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    const c = typeof va === "string" ? String(va).localeCompare(String(vb)) : (va as number) - (vb as number);
    return (desc ? -c : c) || a.id.localeCompare(b.id);
  });
}

export function RegionsView({ ctl }: { ctl: Controller }) {
  const { store } = ctl;
  useStore(store);
  const [sort, setSort] = useState<{ col: Col; desc: boolean }>({ col: "name", desc: false });
  const rows = sortRegions([...store.regions.values()], sort.col, sort.desc);
  const now = Date.now();
  const toggle = (col: Col) => setSort((s) => ({ col, desc: s.col === col ? !s.desc : col !== "name" }));
  return (
    <section class="card" aria-labelledby="regions-title">
      <h1 id="regions-title">{t("navRegions")}</h1>
      <div class="table-wrap">
        <table class="data" data-testid="regions-table">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c.col} aria-sort={sort.col === c.col ? (sort.desc ? "descending" : "ascending") : "none"} class={c.col === "name" ? "" : "num"}>
                  <button type="button" class="th-btn" onClick={() => toggle(c.col)} title={t("sortBy", { col: t(c.label) })}>
                    {t(c.label)}
                    <span aria-hidden="true" class="sort-ind">{sort.col === c.col ? (sort.desc ? "▼" : "▲") : ""}</span>
                  </button>
                </th>
              ))}
              <th>{t("trend")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const s = r.stats;
              return (
                <tr key={r.id} data-region={r.id}>
                  <th scope="row">
                    {ctl.canSeeStations ? <a href={href("stations", undefined, { region: r.id })}>{r.name || r.id}</a> : r.name || r.id}
                    <span class="muted small"> · {t("stationCount", { n: int(r.stationCount) })}</span>
                    <RegionZone label={zoneLabel(store.zones, now, r.id)} />
                  </th>
                  <td class="num" data-col="ballots">{int(s?.ballotsIssued)}</td>
                  <td class="num" data-col="turnout">{pct(s?.turnoutPct, 2)}</td>
                  <td class="num">{s ? num(s.turnoutRatePpPerHour, 2) : "–"}</td>
                  <td class="num">{pct(s?.homeVotingPct)}</td>
                  <td class="num">{num(s?.incidentsPer100Stations)}</td>
                  <td class="num" data-col="alerts">{s && s.openAlerts > 0 ? <span class="pill pill-alert">{s.openAlerts}</span> : int(s?.openAlerts)}</td>
                  <td class="spark-cell">
                    <Sparkline points={store.regionCurves.get(r.id) ?? []} label={`${t("trend")} ${r.name}`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="muted small" data-testid="regions-turnout-note">{t("regionsTurnoutNote")}</p>
    </section>
  );
}

/** A region's UTC offset, shown only while the regions' clocks differ. */
function RegionZone({ label }: { label: string | null }) {
  if (!label) return null;
  return (
    <span class="muted small" data-testid="region-zone" title={t("localTimeZone", { zone: label })}>
      {" "}
      · {label}
    </span>
  );
}
