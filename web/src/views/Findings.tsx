import { useEffect, useState } from "preact/hooks";
import { gql } from "../api/graphql";
import { FINDINGS, FINDINGS_CHECKLIST, FINDINGS_LIVE } from "../api/queries";
import type { Findings, FindingsRow, RegionFindings } from "../api/types";
import { applyUpdate, cell, columns, groups, questionKey, type Column } from "../findings/matrix";
import { int, pct } from "../format";
import { href } from "../router";
import { coalesce, type Controller } from "../state/controller";
import { useStore } from "../state/hooks";
import { t } from "../strings";
import { catalogText } from "../strings/catalog";

// The snapshot is read once, then the findingsUpdated subscription replaces a row whenever its
// region's stations change; after a gap or a reconnect the snapshot is read again.
export function useFindings(ctl: Controller): { findings: Findings | null; failed: string | null } {
  const [findings, setFindings] = useState<Findings | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let closed = false;
    // The hub's rows (its current state comes first on subscribing) are at least as new as the
    // database's snapshot, so the latest row per region is applied over every snapshot.
    const live = new Map<string, RegionFindings>();
    const reread = coalesce(async () => {
      try {
        const [{ data }, questions] = await Promise.all([
          gql<{ findings: { national: Findings["national"]; regions: Omit<FindingsRow, "checklist">[] } }>(ctl.key, FINDINGS),
          gql<{ findings: { regions: Pick<FindingsRow, "regionId" | "checklist">[] } }>(ctl.key, FINDINGS_CHECKLIST),
        ]);
        const checklists = new Map(questions.data.findings.regions.map((r) => [r.regionId, r.checklist]));
        const regions = data.findings.regions.map((r) => ({ ...r, checklist: checklists.get(r.regionId) ?? [] }));
        if (closed) return;
        setFindings([...live.values()].reduce(applyUpdate, { national: data.findings.national, regions }));
        setFailed(null);
      } catch (e) {
        if (!closed) setFailed(String(e));
      }
    });
    reread();
    const stop = ctl.live.subscribe<{ findings: RegionFindings }>({
      query: FINDINGS_LIVE,
      select: (d) => d.findingsUpdated as { seq: number; findings: RegionFindings },
      onValue: (v) => {
        live.set(v.findings.regionId ?? "", v.findings);
        setFindings((f) => (f ? applyUpdate(f, v.findings) : f));
      },
      resync: reread,
    });
    return () => {
      closed = true;
      stop();
    };
  }, [ctl]);
  return { findings, failed };
}

function columnKey(c: Column): string {
  return c.kind === "violation" ? c.code : questionKey(c);
}

function columnLabel(c: Column): string {
  return c.kind === "violation" ? catalogText("violation", c.code) : catalogText("checklist", c.question);
}

export function FindingsView({ ctl }: { ctl: Controller }) {
  useStore(ctl.store); // region names
  const { findings, failed } = useFindings(ctl);
  if (!findings) return <p class="muted pad">{failed ? t("error", { msg: failed }) : t("loading")}</p>;
  const nation = findings.national;
  const cols = columns(nation);
  const regionName = (id: string) => ctl.store.regions.get(id)?.name || id;
  const rows = [...findings.regions].sort((a, b) => regionName(a.regionId ?? "").localeCompare(regionName(b.regionId ?? "")));
  return (
    <section class="card" aria-labelledby="findings-title">
      <h1 id="findings-title">{t("navFindings")}</h1>
      <p data-testid="findings-observed">
        {t("findingsObserved", { n: int(nation.stationsObserved), total: int(nation.stationsTotal), share: pct(nation.observedShare * 100) })}
      </p>
      <div class="table-wrap">
        <table class="data findings" data-testid="findings-table">
          <thead>
            <tr>
              <th rowSpan={2}>{t("region")}</th>
              <th rowSpan={2} class="num">
                {t("findingsObservedColumn")}
              </th>
              {groups(cols).map((g) => (
                <th key={g.group} colSpan={g.span} scope="colgroup" class="fgroup">
                  {g.group === "violations" ? t("findingsViolations") : catalogText("phase", g.group)}
                </th>
              ))}
            </tr>
            <tr>
              {cols.map((c) => (
                <th key={columnKey(c)} scope="col" class="fcol" data-col={columnKey(c)}>
                  {columnLabel(c)}
                  {c.kind === "question" && c.critical && (
                    <span class="crit-mark" title={t("findingsCritical")}>
                      {" "}*
                    </span>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <MatrixRow ctl={ctl} row={nation} name={t("national")} cols={cols} />
            {rows.map((r) => (
              <MatrixRow key={r.regionId} ctl={ctl} row={r} name={regionName(r.regionId ?? "")} cols={cols} />
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">{t("findingsLegend")}</p>
    </section>
  );
}

function MatrixRow({ ctl, row, name, cols }: { ctl: Controller; row: FindingsRow; name: string; cols: Column[] }) {
  return (
    <tr data-region={row.regionId || "national"}>
      <th scope="row">{name}</th>
      <td class="num" data-col="observed">
        {int(row.stationsObserved)} / {int(row.stationsTotal)}
      </td>
      {cols.map((c) => {
        const x = cell(row, c);
        const title = t("findingsCell", { n: int(x.stations), observed: int(row.stationsObserved) });
        const text = x.stations ? `${pct(x.share * 100)} · ${int(x.stations)}` : "–";
        const link = ctl.canSeeStations && x.stations > 0;
        return (
          <td key={columnKey(c)} class={`num heat heat-${x.level}`} data-col={columnKey(c)} data-stations={x.stations} title={title}>
            {link ? <a href={href("stations", undefined, { region: row.regionId || undefined, ...x.filter })}>{text}</a> : text}
          </td>
        );
      })}
    </tr>
  );
}
