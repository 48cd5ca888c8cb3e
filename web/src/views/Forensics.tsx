import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, gql } from "../api/graphql";
import { FORENSICS } from "../api/queries";
import type { Forensics, RegionScreen } from "../api/types";
import { Heatmap } from "../components/Heatmap";
import { int, num, pct } from "../format";
import { figureRows, formatP, screenLists, verdict, type Verdict } from "../forensics/figures";
import { toGrid } from "../forensics/heatmap";
import { href } from "../router";
import { coalesce, type Controller } from "../state/controller";
import { useStore } from "../state/hooks";
import { t } from "../strings";
import type { StringKey } from "../strings/en";
import { localClock } from "../zones";

/** There is no forensics subscription: the figures are re-read this often, and on integer_excess alerts. */
export const FORENSICS_REFRESH_MS = 10_000;
/** The aggregator writes the figures and the alert from the same evaluation: read again a little later. */
const AFTER_ALERT_MS = 1_500;
export const FORENSICS_RULE = "integer_excess";

interface Loaded {
  region: string;
  data: Forensics | null;
  done: boolean;
  unavailable: boolean;
  error: string | null;
}

const VERDICT_KEY: Record<Verdict, StringKey> = {
  flagged: "verdictFlagged",
  aboveTooFew: "verdictAboveTooFew",
  elevated: "verdictElevated",
  withinChance: "verdictWithinChance",
  tooFew: "verdictTooFew",
};

/** Live forensic figures of the nation or one region: the fingerprint heatmap and integer percentages. */
export function ForensicsView({ ctl, params }: { ctl: Controller; params: URLSearchParams }) {
  const { store } = ctl;
  useStore(store);
  const region = params.get("region") ?? "";
  const [state, setState] = useState<Loaded>({ region, data: null, done: false, unavailable: false, error: null });
  const refresh = useRef<() => void>(() => undefined);

  useEffect(() => {
    let alive = true;
    setState({ region, data: null, done: false, unavailable: false, error: null });
    const run = coalesce(async () => {
      try {
        const { data } = await gql<{ forensics: Forensics | null }>(ctl.key, FORENSICS, { region: region || null });
        if (alive) setState({ region, data: data.forensics, done: true, unavailable: false, error: null });
      } catch (e) {
        const unavailable = e instanceof ApiError && e.errors.some((x) => /Cannot query field 'forensics'/.test(x.message));
        if (alive) setState((s) => ({ ...s, done: true, unavailable, error: unavailable ? null : String((e as Error).message ?? e) }));
      }
    });
    refresh.current = run;
    run();
    const id = setInterval(() => {
      if (!document.hidden) run();
    }, FORENSICS_REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(id);
      refresh.current = () => undefined;
    };
  }, [region]);

  // An integer_excess alert opened, moved or resolved (partner keys and above receive alerts).
  const alertTick = store.ruleChanges.get(FORENSICS_RULE) ?? 0;
  useEffect(() => {
    if (alertTick === 0) return;
    refresh.current();
    const id = setTimeout(() => refresh.current(), AFTER_ALERT_MS);
    return () => clearTimeout(id);
  }, [alertTick]);

  const regions = [...store.regions.values()].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
  const scopeName = region ? (store.regions.get(region)?.name ?? region) : t("forensicsNational");
  const f = state.region === region ? state.data : null;

  return (
    <section aria-labelledby="forensics-title" data-testid="forensics-page" class="forensics">
      <div class="toolbar">
        <h1 id="forensics-title">{t("forensicsTitle")}</h1>
        <label class="check">
          {t("forensicsScope")}
          <select
            data-testid="forensics-region"
            value={region}
            onChange={(e) => {
              const v = (e.currentTarget as HTMLSelectElement).value;
              location.hash = href("forensics", undefined, { region: v || undefined });
            }}
          >
            <option value="">{t("forensicsNational")}</option>
            {regions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name || r.id}
              </option>
            ))}
          </select>
        </label>
        <span class="muted small" data-testid="forensics-computed">
          {f ? `${t("forensicsComputed", { t: localClock(store.zones, f.computedAt, f.region) })} · ` : ""}
          {t("forensicsRefresh", { s: FORENSICS_REFRESH_MS / 1000 })}
        </span>
        <button type="button" class="toolbar-end" onClick={() => refresh.current()}>
          {t("forensicsRefreshNow")}
        </button>
      </div>
      {state.error && (
        <p class="card bad-text" role="alert">
          {t("error", { msg: state.error })}
        </p>
      )}
      {state.unavailable ? (
        <p class="card muted">{t("forensicsUnavailable")}</p>
      ) : !state.done || state.region !== region ? (
        <p class="card muted">{t("loading")}</p>
      ) : !f || f.stations === 0 ? (
        <p class="card muted" data-testid="forensics-empty">
          {t("forensicsNoData", { scope: scopeName })}
        </p>
      ) : (
        <Figures f={f} scope={scopeName} national={!region} regionName={(id) => store.regions.get(id)?.name || id} />
      )}
      <p class="fx-note small" data-testid="forensics-other-tests">
        {withCode(t("forensicsOtherTests"), "cmd", "pollwatch forensics")}
      </p>
    </section>
  );
}

/** `text` with its `{name}` placeholder as a command in <code> (not a word to translate). */
function withCode(text: string, name: string, code: string) {
  const [before, after = ""] = text.split(`{${name}}`);
  return (
    <>
      {before}
      <code>{code}</code>
      {after}
    </>
  );
}

function Figures({
  f,
  scope,
  national,
  regionName,
}: {
  f: Forensics;
  scope: string;
  national: boolean;
  regionName: (id: string) => string;
}) {
  const grid = toGrid(f.fingerprint);
  const v = verdict(f);
  const z = num(f.integer.either.z, 1);
  return (
    <>
      <div class="cards" data-testid="forensics-kpis">
        <article class="card kpi">
          <h2>{t("forensicsProtocols")}</h2>
          <p class="big" data-testid="fx-stations">{int(f.stations)}</p>
          <p class="muted">{t("forensicsTested", { n: int(f.tested) })}</p>
        </article>
        <article class="card kpi">
          <h2>{t("forensicsTurnout")}</h2>
          <p class="big">{pct(f.turnoutPct, 1)}</p>
          <p class="muted">{t("forensicsOverProtocols")}</p>
        </article>
        <article class="card kpi">
          <h2>{t("forensicsLeaderShare")}</h2>
          <p class="big">{pct(f.leaderSharePct, 1)}</p>
          <p class="muted">
            {t("forensicsLeader")}: <strong data-testid="fx-leader" data-i18n-data>{f.leader ?? "–"}</strong> ({t("forensicsLeaderHelp")})
          </p>
        </article>
        <article class={`card kpi fx-z fx-${v}`}>
          <h2>{t("forensicsZ")}</h2>
          <p class="big" data-testid="fx-z">{z}</p>
          <p class="muted">{t("verdictThreshold", { th: num(f.thresholdZ, 0), min: int(f.minStations) })}</p>
        </article>
      </div>
      <p class={`fx-verdict fx-${v}`} role="status" data-testid="fx-verdict" data-verdict={v}>
        <strong>{t(VERDICT_KEY[v], { z, th: num(f.thresholdZ, 0), n: int(f.tested), min: int(f.minStations) })}</strong>
        {national ? <span> {t("verdictNational")}</span> : v === "flagged" && <span> {t("verdictRegionAlert")}</span>}
      </p>
      {national && f.regionsCounted != null && <RegionScreenCard f={f} regionName={regionName} />}
      <div class="fx-grid">
        <article class="card" aria-labelledby="fp-title">
          <h2 id="fp-title">{t("fingerprint")}</h2>
          <Heatmap grid={grid} scope={scope} />
          <p class="small muted fx-help">{t("fpHelp")}</p>
        </article>
        <article class="card" aria-labelledby="int-title">
          <h2 id="int-title">{t("integerPercentages")}</h2>
          <IntegerTable f={f} />
          <p class="small fx-help">{t("intHelp")}</p>
          <p class="small muted" data-method={f.method}>
            {t("forensicsMethod")}
          </p>
        </article>
      </div>
    </>
  );
}

/** The national region screen, as `pollwatch forensics` prints it: flagged regions, then the near misses. */
function RegionScreenCard({ f, regionName }: { f: Forensics; regionName: (id: string) => string }) {
  const { flagged, tooFew } = screenLists(f);
  const th = num(f.thresholdZ, 0);
  const min = int(f.minStations);
  const item = (r: RegionScreen) => (
    <li key={r.region} data-region={r.region}>
      <a href={href("forensics", undefined, { region: r.region })}>{regionName(r.region)}</a>
      {": "}
      {t("screenRegion", { z: num(r.z, 1), n: int(r.tested) })}
    </li>
  );
  return (
    <article class="card fx-screen" aria-labelledby="screen-title" data-testid="fx-screen">
      <h2 id="screen-title">{t("screenTitle")}</h2>
      <p data-testid="fx-screen-summary">
        {t("screenSummary", { n: int(flagged.length), total: int(f.regionsCounted ?? 0), th, min })}
      </p>
      {flagged.length > 0 && <ul data-testid="fx-screen-flagged">{flagged.map(item)}</ul>}
      {tooFew.length > 0 && (
        <>
          <p>{t("screenTooFewHead", { th, min })}</p>
          <ul data-testid="fx-screen-too-few">{tooFew.map(item)}</ul>
        </>
      )}
    </article>
  );
}

function IntegerTable({ f }: { f: Forensics }) {
  return (
    <div class="table-wrap">
      <table class="data fx-table" data-testid="fx-integer">
        <caption class="fx-caption small muted">{t("intCaption", { n: int(f.tested) })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("intTest")}</th>
            <th scope="col" class="num">{t("intObserved")}</th>
            <th scope="col" class="num">{t("intExpected")}</th>
            <th scope="col" class="num">{t("intExcess")}</th>
            <th scope="col" class="num">{t("intRatio")}</th>
            <th scope="col" class="num">{t("intZ")}</th>
            <th scope="col" class="num">{t("intP")}</th>
          </tr>
        </thead>
        <tbody>
          {figureRows(f).map((r) => (
            <tr key={r.key} data-test={r.key} class={r.screened ? "fx-screened" : ""}>
              <th scope="row">
                {t(r.label)}
                {r.screened && <span class="pill fx-pill">{t("intScreened")}</span>}
              </th>
              <td class="num" data-col="observed">{int(r.test.observed)}</td>
              <td class="num" data-col="expected">{num(r.test.expected, 1)}</td>
              <td class="num" data-col="excess">{r.test.excess > 0 ? "+" : ""}{num(r.test.excess, 1)}</td>
              <td class="num">{r.ratio == null ? "–" : `${num(r.ratio, 2)}×`}</td>
              <td class={`num ${r.screened && r.test.z >= f.thresholdZ ? "bad-text" : ""}`} data-col="z">{num(r.test.z, 2)}</td>
              <td class="num" data-col="p">{formatP(r.test.pValue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
