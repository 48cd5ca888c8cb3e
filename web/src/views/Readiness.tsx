import type { FindingsRow } from "../api/types";
import { readiness, READY_QUESTION } from "../findings/readiness";
import { int } from "../format";
import { href } from "../router";
import type { Controller } from "../state/controller";
import { useStore } from "../state/hooks";
import { t } from "../strings";
import { catalogText } from "../strings/catalog";
import { useFindings } from "./Findings";

/** The eve of the election: per region, stations ready, not ready and not reported, live (findingsUpdated). */
export function ReadinessView({ ctl }: { ctl: Controller }) {
  useStore(ctl.store); // region names
  const { findings, failed } = useFindings(ctl);
  if (!findings) return <p class="muted pad">{failed ? t("error", { msg: failed }) : t("loading")}</p>;
  const nation = readiness(findings.national);
  const regionName = (id: string) => ctl.store.regions.get(id)?.name || id;
  const rows = [...findings.regions].sort((a, b) => regionName(a.regionId ?? "").localeCompare(regionName(b.regionId ?? "")));
  return (
    <section class="card" aria-labelledby="readiness-title">
      <h1 id="readiness-title">{t("readinessTitle")}</h1>
      <p data-testid="readiness-summary">
        {t("readinessSummary", { ready: int(nation.ready), total: int(nation.total), notReady: int(nation.notReady), notReported: int(nation.notReported) })}
      </p>
      <div class="table-wrap">
        <table class="data readiness" data-testid="readiness-table">
          <thead>
            <tr>
              <th>{t("region")}</th>
              <th class="num">{t("readinessReady")}</th>
              <th class="num">{t("readinessNotReady")}</th>
              <th class="num">{t("readinessNotReported")}</th>
              {nation.questions.map((q) => (
                <th key={q.question} class="num fcol" data-col={q.question}>
                  {catalogText("checklist", q.question)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <ReadinessRow ctl={ctl} row={findings.national} name={t("national")} />
            {rows.map((r) => (
              <ReadinessRow key={r.regionId} ctl={ctl} row={r} name={regionName(r.regionId ?? "")} />
            ))}
          </tbody>
        </table>
      </div>
      <p class="muted small">{t("readinessLegend")}</p>
    </section>
  );
}

function ReadinessRow({ ctl, row, name }: { ctl: Controller; row: FindingsRow; name: string }) {
  const r = readiness(row);
  const region = row.regionId || undefined;
  // The stations behind a "no" (partner and above), as the findings matrix links them.
  const link = (question: string, n: number) =>
    ctl.canSeeStations && n > 0 ? <a href={href("stations", undefined, { region, no: `readiness.${question}` })}>{int(n)}</a> : int(n);
  return (
    <tr data-region={row.regionId || "national"}>
      <th scope="row">{name}</th>
      <td class="num" data-col="ready">
        {int(r.ready)} / {int(r.total)}
      </td>
      <td class={`num${r.notReady ? " heat heat-4" : ""}`} data-col="not-ready">
        {link(READY_QUESTION, r.notReady)}
      </td>
      <td class={`num${r.notReported ? " heat heat-1" : ""}`} data-col="not-reported">
        {int(r.notReported)}
      </td>
      {r.questions.map((q) => (
        <td key={q.question} class="num" data-col={q.question}>
          {link(q.question, q.no)}
        </td>
      ))}
    </tr>
  );
}
