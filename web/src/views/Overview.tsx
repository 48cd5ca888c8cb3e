import type { RegionStats } from "../api/types";
import { LineChart } from "../components/LineChart";
import { SeverityChip } from "../components/Severity";
import { int, num, pct } from "../format";
import { href } from "../router";
import type { Controller } from "../state/controller";
import { useNow, useStore } from "../state/hooks";
import { t } from "../strings";
import { alertMessage, ruleName } from "../strings/catalog";
import { localClock } from "../zones";

/**
 * The line under a roll-up's turnout: the API's turnout is voter-weighted over the stations that have
 * reported (services/api/types/region.py), so the caption never sets ballots against every registered voter.
 */
export function turnoutCaption(n: Pick<RegionStats, "ballotsIssued"> | null): string {
  return n ? t("ballotsReporting", { ballots: int(n.ballotsIssued) }) : t("noDataYet");
}

export function OverviewView({ ctl }: { ctl: Controller }) {
  const { store } = ctl;
  useStore(store);
  const now = useNow(2000);
  const o = store.overview;
  const n = o?.national ?? null;
  const alerts = o?.openAlerts;
  const latest = ctl.canSeeStations ? store.alertList().slice(0, 6) : [];
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title" class="visually-hidden">{t("navOverview")}</h1>
      <div class="cards">
        <article class="card kpi" data-testid="kpi-turnout">
          <h2>{t("turnoutNow")}</h2>
          <p class="big" data-testid="national-turnout">{pct(n?.turnoutPct, 2)}</p>
          <p class="muted" data-testid="national-ballots">
            {turnoutCaption(n)}
          </p>
        </article>
        <article class="card kpi">
          <h2>{t("turnoutRate")}</h2>
          <p class="big">
            {n ? num(n.turnoutRatePpPerHour, 2) : "–"} {n && <span class="unit">{t("perHourUnit")}</span>}
          </p>
          <p class="muted">{n ? t("updated", { t: localClock(store.zones, n.updatedAt) }) : ""}</p>
        </article>
        <article class="card kpi" data-testid="kpi-stations">
          <h2>{t("stationsReporting")}</h2>
          <p class="big">
            <span data-testid="stations-reporting">{int(n?.stationsReporting)}</span>{" "}
            <span class="of">{n ? t("stationsOfTotal", { n: int(n.stationsTotal) }) : ""}</span>
          </p>
          <p class="muted">
            {t("stationsSilent")}: <strong class={n && n.stationsSilent > 0 ? "warn-text" : ""} data-testid="stations-silent">{int(n?.stationsSilent)}</strong>
          </p>
        </article>
        <article class="card kpi" data-testid="kpi-alerts">
          <h2>{t("openAlerts")}</h2>
          <p class="big" data-testid="open-alerts-total">{int(alerts?.total)}</p>
          <p class="sev-row">
            <SeverityChip severity="CRITICAL" count={alerts?.critical ?? 0} />
            <SeverityChip severity="WARNING" count={alerts?.warning ?? 0} />
            <SeverityChip severity="INFO" count={alerts?.info ?? 0} />
          </p>
        </article>
        {ctl.canSeeStations && (
          <article class="card kpi">
            <h2>{t("reportsPerMinute")}</h2>
            <p class="big" data-testid="reports-per-minute">{int(store.reportsRate.perMinute(now))}</p>
          </article>
        )}
      </div>
      <div class="grid-2">
        <article class="card">
          <h2>{t("turnoutCurve")}</h2>
          <LineChart label={t("turnoutCurve")} zones={store.zones} lines={[{ label: t("national"), points: store.nationalCurve, color: "#1d4ed8" }]} />
          {n && <p class="muted small" data-testid="turnout-curve-note">{t("turnoutCurveNote", { voters: int(n.registeredVoters) })}</p>}
        </article>
        {ctl.canSeeStations && (
          <article class="card">
            <h2>
              <a href={href("alerts")}>{t("recentAlerts")}</a>
            </h2>
            {latest.length === 0 ? (
              <p class="muted">{t("noAlerts")}</p>
            ) : (
              <ul class="mini-alerts">
                {latest.map((a) => {
                  // Long texts (and translations run longer) are cut at two lines; the whole text is the title.
                  const text = alertMessage(a) || ruleName(a.rule);
                  return (
                    <li key={a.id} class={a.state === "RESOLVED" ? "resolved" : ""} data-alert={a.id} data-rule={a.rule}>
                      <SeverityChip severity={a.severity} />
                      <span class="mini-msg" title={`${ruleName(a.rule)}: ${text}`}>
                        {text}
                      </span>
                      <span class="muted small">{localClock(store.zones, a.updatedAt, a.regionId)}</span>
                    </li>
                  );
                })}
              </ul>
            )}
          </article>
        )}
      </div>
    </section>
  );
}
