/** My station as the server sees it: the aggregator's latest figures and my reports it counted. */
import { useEffect, useState } from "preact/hooks";
import { fetchStation, type StationView as View } from "./api";
import { say, type Lang } from "./strings";

export function StationView(p: { token: string; stationId: string; lang: Lang; sent: number }) {
  const [view, setView] = useState<View | null>(null);
  useEffect(() => {
    let live = true;
    fetchStation(p.token, p.stationId).then((v) => live && setView(v), () => undefined);
    return () => { live = false; };
  }, [p.stationId, p.sent]);
  if (!view) return null;
  const f = view.figures as Record<string, number | string | Record<string, number> | null> | null;
  const number = (v: unknown) => (typeof v === "number" ? v.toLocaleString(p.lang) : "—");
  const incidents = f && f.incidents_total && typeof f.incidents_total === "object" ? Object.values(f.incidents_total).reduce((a, b) => a + b, 0) : 0;
  return (
    <section class="station" data-testid="station">
      <h2>{say(p.lang, "myStation")}</h2>
      {!f ? <p>{say(p.lang, "figuresNone")}</p> : (
        <dl>
          <dt>{say(p.lang, "ballotsIssued")}</dt><dd>{number(f.ballots_issued)}</dd>
          <dt>{say(p.lang, "turnoutPct")}</dt><dd>{number(f.turnout_pct)} %</dd>
          <dt>{say(p.lang, "incidentsTotal")}</dt><dd>{number(incidents)}</dd>
          <dt>{say(p.lang, "openAlerts")}</dt><dd>{number(f.open_alerts)}</dd>
          <dt>{say(p.lang, "lastReport")}</dt><dd>{typeof f.last_report_at === "string" ? new Date(f.last_report_at).toLocaleString(p.lang) : "—"}</dd>
        </dl>
      )}
      <p>{say(p.lang, "reportsCounted")}: <span data-testid="counted">{view.reports.length}</span></p>
    </section>
  );
}
