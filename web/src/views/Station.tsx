import { useEffect, useRef, useState } from "preact/hooks";
import { gql } from "../api/graphql";
import { STATION_DETAIL, STATION_MONITORS, STATION_PROTOCOLS } from "../api/queries";
import type { Alert, AlertText, TurnoutPoint } from "../api/types";
import { LineChart } from "../components/LineChart";
import { ago, int, num, pct } from "../format";
import { href } from "../router";
import { coalesce, SERIES_BUCKET_MINUTES, type Controller } from "../state/controller";
import { useNow, useStore } from "../state/hooks";
import { appendPoint, toPoints } from "../state/series";
import { t } from "../strings";
import { renderText, violationName } from "../strings/catalog";
import type { StringKey } from "../strings/en";
import { correction, type ProtocolVersion } from "../review/queue";
import { localClock } from "../zones";
import { AlertCard } from "./AlertCard";
import { STATUS_KEY } from "./Stations";

interface Detail {
  station: {
    id: string;
    name: string;
    district: string;
    regionId: string;
    registeredVoters: number;
    status: keyof typeof STATUS_KEY;
    region: { id: string; name: string };
    stats: {
      ballotsIssued: number;
      turnoutPct: number;
      turnoutRatePpPerHour: number;
      homeVotingApplications: number;
      homeVotingPct: number;
      incidentsTotal: Record<string, number>;
      lastReportAt: string | null;
      openAlerts: number;
      protocol: Record<string, unknown> | null;
      reportsProcessed: number;
      updatedAt: string;
    } | null;
  } | null;
  turnoutSeries: TurnoutPoint[];
  alerts: { nodes: Alert[] };
}

interface Monitor {
  id: string;
  displayName: string;
  active: boolean;
}

const PROBLEM = "protocol_inconsistent.";

/**
 * The protocol's arithmetic checks (as the aggregator's, services/aggregator/domain/protocol_check.py)
 * as catalog texts, plus those of the station's open protocol_inconsistent alert (`fromAlert`: it also
 * checks ballots received, which the summary lacks). Not ok either when the summary lists problems.
 */
export function protocolChecks(p: Record<string, unknown>, fromAlert: AlertText[] = []): { ok: boolean; problems: AlertText[] } {
  const n = (k: string, alt: string) => Number(p[k] ?? p[alt] ?? NaN);
  const cast = n("ballots_cast", "ballotsCast");
  const valid = n("valid_ballots", "validBallots");
  const invalid = n("invalid_ballots", "invalidBallots");
  const issued = n("ballots_issued", "ballotsIssued");
  const registered = n("registered_voters", "registeredVoters");
  const votes = (p.votes ?? {}) as Record<string, number>;
  const votesSum = Object.values(votes).reduce((s, v) => s + Number(v), 0);
  const problems: AlertText[] = [];
  if (cast > issued) problems.push({ key: `${PROBLEM}cast_exceeds_issued`, params: { cast, issued } });
  if (valid + invalid !== cast && [valid, invalid, cast].every(Number.isFinite)) {
    problems.push({ key: `${PROBLEM}valid_invalid_mismatch`, params: { valid, invalid, cast } });
  }
  if (Number.isFinite(valid) && Object.keys(votes).length > 0 && votesSum !== valid) {
    problems.push({ key: `${PROBLEM}votes_mismatch`, params: { votes: votesSum, valid } });
  }
  if (registered > 0 && issued > registered) problems.push({ key: `${PROBLEM}issued_exceeds_registered`, params: { issued, registered } });
  for (const x of fromAlert) if (x.key.startsWith(PROBLEM) && !problems.some((y) => y.key === x.key)) problems.push(x);
  const listed = Array.isArray(p.inconsistencies) ? p.inconsistencies.length : 0;
  return { ok: problems.length === 0 && listed === 0, problems };
}

/** The summary's figures in reading order (services/api/types/station.py StationStats.protocol). */
/** Figures a correction may change that the summary does not show. */
const EXTRA_FIELDS: Record<string, StringKey> = {
  votes: "protocolVotes",
  ballots_received: "protocolBallotsReceived",
  home_ballots_issued: "protocolHomeBallots",
};

const PROTOCOL_FIELDS: [string, StringKey][] = [
  ["registered_voters", "protocolRegisteredVoters"],
  ["ballots_issued", "protocolBallotsIssued"],
  ["ballots_cast", "protocolBallotsCast"],
  ["valid_ballots", "protocolValidBallots"],
  ["invalid_ballots", "protocolInvalidBallots"],
  ["copy_received", "protocolCopyReceived"],
];

export function StationView({ ctl, id }: { ctl: Controller; id: string }) {
  const { store } = ctl;
  useStore(store);
  const now = useNow(2000);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [missing, setMissing] = useState(false);
  const [monitors, setMonitors] = useState<Monitor[] | null>(null);
  const [versions, setVersions] = useState<ProtocolVersion[]>([]);
  const refresh = useRef<() => void>(() => undefined);

  useEffect(() => {
    setDetail(null);
    setMissing(false);
    setMonitors(null);
    setVersions([]);
    refresh.current = coalesce(async () => {
      const { data } = await gql<Detail>(ctl.key, STATION_DETAIL, { id, bucket: SERIES_BUCKET_MINUTES });
      if (!data.station) setMissing(true);
      setDetail(data);
      const protocols = await gql<{ station: { protocolVersions: ProtocolVersion[] } | null }>(ctl.key, STATION_PROTOCOLS, { id });
      setVersions(protocols.data.station?.protocolVersions ?? []);
    });
    refresh.current();
    if (ctl.canSeeMonitors) {
      void gql<{ station: { monitors: Monitor[] } | null }>(ctl.key, STATION_MONITORS, { id }).then(({ data }) =>
        setMonitors(data.station?.monitors ?? []),
      );
    }
    return () => {
      refresh.current = () => undefined;
    };
  }, [id]);

  // A live update for this station: re-read its detail (series, alerts), at most one request at a time.
  const live = store.stations.get(id);
  const liveVersion = live?.stats?.reportsProcessed ?? -1;
  useEffect(() => {
    if (liveVersion >= 0) refresh.current();
  }, [liveVersion]);

  if (missing) return <section class="card"><p>{t("stationNotFound")}</p></section>;
  if (!detail?.station) return <section class="card"><p class="muted">{t("loading")}</p></section>;
  const st = detail.station;
  const stats = st.stats;
  const turnout = live?.stats?.turnoutPct ?? stats?.turnoutPct;
  const ballots = live?.stats?.ballotsIssued ?? stats?.ballotsIssued;
  const status = live?.status ?? st.status;
  let ownCurve = toPoints(detail.turnoutSeries);
  if (live?.stats?.lastReportAt) ownCurve = appendPoint(ownCurve, { t: Date.parse(live.stats.lastReportAt), v: live.stats.turnoutPct }, 0);
  const regionCurve = store.regionCurves.get(st.regionId) ?? [];
  const incidents = Object.entries(stats?.incidentsTotal ?? {}).sort((a, b) => b[1] - a[1]);
  const maxIncidents = Math.max(1, ...incidents.map(([, c]) => c));
  const protocol = stats?.protocol ?? null;
  const alerts = [...detail.alerts.nodes.map((a) => store.alerts.get(a.id) ?? a), ...[...store.alerts.values()].filter((a) => a.stationId === id && !detail.alerts.nodes.some((n) => n.id === a.id))]
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
  const alertProblems = alerts.filter((a) => a.rule === "protocol_inconsistent" && a.state === "OPEN").flatMap((a) => a.texts ?? []);
  const checks = protocol ? protocolChecks(protocol, alertProblems) : null;
  const corrected = correction(versions);
  const fieldLabel = (f: string) => {
    const known = PROTOCOL_FIELDS.find(([k]) => k === f);
    return known ? t(known[1]) : EXTRA_FIELDS[f] ? t(EXTRA_FIELDS[f]) : f;
  };
  const figure = (v: unknown) =>
    typeof v === "boolean" ? t(v ? "yes" : "no") : typeof v === "number" ? int(v) : Object.entries((v ?? {}) as Record<string, number>).map(([k, n]) => `${k} ${int(n)}`).join(", ");

  return (
    <section aria-labelledby="station-title" data-testid="station-page">
      <p class="crumbs small">
        <a href={href("stations", undefined, { region: st.regionId })}>← {st.region.name}</a>
      </p>
      <div class="station-head">
        <h1 id="station-title">
          <span class="mono">{st.id}</span> {st.name}
        </h1>
        <span class={`pill st-${status.toLowerCase()}`}>{t(STATUS_KEY[status])}</span>
      </div>
      <div class="cards">
        <article class="card kpi">
          <h2>{t("turnout")}</h2>
          <p class="big" data-testid="station-turnout">{pct(turnout, 2)}</p>
          <p class="muted" data-testid="station-ballots">{t("ballotsOf", { ballots: int(ballots), voters: int(st.registeredVoters) })}</p>
        </article>
        <article class="card kpi">
          <h2>{t("turnoutRate")}</h2>
          <p class="big">
            {stats ? num(stats.turnoutRatePpPerHour, 2) : "–"} {stats && <span class="unit">{t("perHourUnit")}</span>}
          </p>
        </article>
        <article class="card kpi">
          <h2>{t("homeVotingPct")}</h2>
          <p class="big">{pct(stats?.homeVotingPct)}</p>
          <p class="muted">{int(stats?.homeVotingApplications)}</p>
        </article>
        <article class="card kpi">
          <h2>{t("lastReport")}</h2>
          <p class="big small-big">{ago(live?.stats?.lastReportAt ?? stats?.lastReportAt, now)}</p>
          <p class="muted" data-testid="station-last-report-time">{localClock(store.zones, live?.stats?.lastReportAt ?? stats?.lastReportAt, st.regionId)}</p>
        </article>
      </div>
      <div class="grid-2">
        <article class="card">
          <h2>{t("stationTurnoutCurve")}</h2>
          <LineChart
            label={t("stationTurnoutCurve")}
            zones={store.zones}
            region={st.regionId}
            lines={[
              { label: t("thisStation"), points: ownCurve, color: "#1d4ed8" },
              { label: t("regionAggregate"), points: regionCurve, color: "#6b7280", dash: [6, 4] },
            ]}
          />
        </article>
        <article class="card">
          <h2>{t("incidentsByType")}</h2>
          {incidents.length === 0 ? (
            <p class="muted">{t("noIncidents")}</p>
          ) : (
            <ul class="bars">
              {incidents.map(([kind, count]) => (
                <li key={kind}>
                  <span class="bar-label" title={violationName(kind)}>
                    {violationName(kind)}
                  </span>
                  <span class="bar" style={{ width: `${(100 * count) / maxIncidents}%` }} />
                  <span class="bar-count">{count}</span>
                </li>
              ))}
            </ul>
          )}
        </article>
      </div>
      <div class="grid-2">
        <article class="card">
          <h2>{t("protocol")}</h2>
          {!protocol ? (
            <p class="muted">{t("noProtocol")}</p>
          ) : (
            <>
              <p class={checks!.ok ? "ok-text" : "bad-text"}>
                {checks!.ok ? `✓ ${t("protocolConsistent")}` : `✗ ${t("protocolInconsistent")}`}
              </p>
              {checks!.problems.length > 0 && (
                <ul class="small bad-text" data-testid="protocol-problems">
                  {checks!.problems.map((p) => (
                    <li key={p.key}>{renderText(p)}</li>
                  ))}
                </ul>
              )}
              <dl class="figures">
                {PROTOCOL_FIELDS.filter(([k]) => k in protocol).map(([k, label]) => {
                  const v = protocol[k];
                  return (
                    <div key={k}>
                      <dt>{t(label)}</dt>
                      <dd>{typeof v === "boolean" ? t(v ? "yes" : "no") : int(Number(v))}</dd>
                    </div>
                  );
                })}
              </dl>
              {corrected && (
                <div class="correction" data-testid="protocol-correction">
                  <p class="small">
                    {corrected.current.monitorId
                      ? t("protocolCorrectedBy", { who: corrected.current.monitorId, time: localClock(store.zones, corrected.current.receivedAt, st.regionId) })
                      : t("protocolCorrected", { time: localClock(store.zones, corrected.current.receivedAt, st.regionId) })}
                  </p>
                  <h3 class="small muted">{t("protocolReplaced")}</h3>
                  <table class="small">
                    <thead>
                      <tr>
                        <th />
                        <th>{t("protocolBefore")}</th>
                        <th>{t("protocolAfter")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {corrected.changed.map(([f, before, after]) => (
                        <tr key={f}>
                          <th scope="row">{fieldLabel(f)}</th>
                          <td data-i18n-data>{figure(before)}</td>
                          <td data-i18n-data>{figure(after)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              {Object.keys((protocol.votes ?? {}) as Record<string, number>).length > 0 && (
                <>
                  <h3 class="small muted">{t("protocolVotes")}</h3>
                  <dl class="figures">
                    {Object.entries((protocol.votes ?? {}) as Record<string, number>).map(([k, v]) => (
                      // Party and candidate names are data, shown as sent.
                      <div key={`v-${k}`} data-i18n-data>
                        <dt>{k}</dt>
                        <dd>{int(v)}</dd>
                      </div>
                    ))}
                  </dl>
                </>
              )}
            </>
          )}
        </article>
        <article class="card">
          <h2>{t("alertsForStation")}</h2>
          {alerts.length === 0 ? (
            <p class="muted">{t("noAlerts")}</p>
          ) : (
            <ul class="alert-list">
              {alerts.map((a) => (
                <AlertCard key={a.id} alert={a} ctl={ctl} />
              ))}
            </ul>
          )}
        </article>
      </div>
      {monitors && (
        <article class="card" data-testid="monitors">
          <h2>{t("monitors")}</h2>
          <ul>
            {monitors.map((m) => (
              <li key={m.id}>
                {m.displayName} <span class="muted small mono">{m.id}</span>
              </li>
            ))}
          </ul>
        </article>
      )}
    </section>
  );
}
