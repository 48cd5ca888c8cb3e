/** The monitor app: sign-in, the report forms, the outbox, the station as the server sees it and
 * the coordinators' messages. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { fetchForms, fetchMe, HttpError, request } from "./api";
import * as store from "./db";
import { KINDS, ReportForm, kindOf, type Kind } from "./forms";
import { Messages } from "./messages";
import { flush, newEntry } from "./outbox";
import { tokenFrom } from "./session";
import { StationView } from "./station";
import { LANGS, pickLang, refusal, say, type Key, type Lang } from "./strings";
import type { Body, Forms, Me, OutboxEntry } from "./types";

const FLUSH_EVERY_MS = 3_000;
const CLOCK_TOLERANCE_MS = 5 * 60_000; // ingest refuses reports more than 300 s ahead
const LANG_KEY = "pollwatch.monitor.lang";
const STATION_KEY = "pollwatch.monitor.station";

type Screen = { form: Kind; correcting?: OutboxEntry } | null;

export function App() {
  const [lang, setLang] = useState<Lang>(() => pickLang(localStorage.getItem(LANG_KEY), navigator.languages));
  const [token, setToken] = useState<string | null | undefined>(undefined); // undefined: still reading IndexedDB
  const [problem, setProblem] = useState<Key | null>(null);
  const [me, setMe] = useState<Me | null>(null);
  const [forms, setForms] = useState<Forms | null>(null);
  const [stationId, setStationId] = useState<string>(() => localStorage.getItem(STATION_KEY) ?? "");
  const [entries, setEntries] = useState<OutboxEntry[]>([]);
  const [online, setOnline] = useState(navigator.onLine);
  const [screen, setScreen] = useState<Screen>(null);
  const [clockSkew, setClockSkew] = useState(0);
  const flushing = useRef(false);
  const t = (k: Key, params?: Record<string, string | number>) => say(lang, k, params);

  const chooseLang = (l: Lang) => { localStorage.setItem(LANG_KEY, l); setLang(l); };
  const chooseStation = (id: string) => { localStorage.setItem(STATION_KEY, id); setStationId(id); };
  const reload = useCallback(async () => setEntries(await store.entries()), []);

  // Sign-in: a token in the address wins (a fresh link), then the one kept on the phone.
  useEffect(() => {
    void (async () => {
      const fromLink = tokenFrom(location.hash);
      if (location.hash) history.replaceState(null, "", location.pathname + location.search);
      if (fromLink) await Promise.all([store.setToken(fromLink), store.forgetCached("messages")]); // maybe another monitor's
      const kept = fromLink ?? (await store.getToken()) ?? null;
      const [cachedMe, cachedForms] = await Promise.all([store.getCached<Me>("me"), store.getCached<Forms>("forms")]);
      if (cachedMe && !fromLink) setMe(cachedMe);
      if (cachedForms) setForms(cachedForms);
      await reload();
      setToken(kept);
    })();
  }, []);

  // Who am I and the forms, each time the app opens online; the phone's copies otherwise.
  useEffect(() => {
    if (!token) return;
    void (async () => {
      try {
        const fresh = await fetchMe(token);
        setClockSkew(Date.now() - Date.parse(fresh.server_time));
        await store.setCached("me", fresh);
        setMe(fresh);
        setProblem(null);
        if (!localStorage.getItem(LANG_KEY) && fresh.monitor.language) setLang(fresh.monitor.language);
        const f = await fetchForms(token);
        await store.setCached("forms", f);
        setForms(f);
      } catch (e) {
        if (e instanceof HttpError && e.status === 401) setProblem(me ? "signInAgain" : "signInInvalid");
        else if (!me) setProblem("signInOffline");
      }
    })();
  }, [token, online]);

  useEffect(() => {
    if (me && !me.stations.some((s) => s.id === stationId)) setStationId(me.stations[0]?.id ?? "");
  }, [me]);

  const send = useCallback(async () => {
    if (!token || flushing.current) return;
    flushing.current = true;
    try {
      const { signedOut } = await flush({
        now: Date.now,
        entries: store.entries,
        put: store.putEntry,
        photo: store.getPhoto,
        putPhoto: store.putPhoto,
        post: (path, body, contentType) => request(token, path, { method: "POST", body, headers: { "Content-Type": contentType } }),
      });
      if (signedOut) setProblem("signInAgain");
    } finally {
      flushing.current = false;
      await reload();
    }
  }, [token]);

  // Retry: on a timer, and at once when the network comes back (waiting reports are due then).
  useEffect(() => {
    const up = async () => {
      setOnline(true);
      for (const e of await store.entries()) if (e.state === "waiting") await store.putEntry({ ...e, nextAt: 0 });
      void send();
    };
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    const timer = setInterval(() => void send(), FLUSH_EVERY_MS);
    void send();
    return () => { window.removeEventListener("online", up); window.removeEventListener("offline", down); clearInterval(timer); };
  }, [send]);

  const save = async (body: Body, photos: string[]) => {
    const correcting = screen?.correcting;
    if (correcting) await store.deleteEntry(correcting.id); // refused, never accepted: a new id is safe
    const report = { id: crypto.randomUUID(), station_id: correcting?.report.station_id ?? stationId, observed_at: new Date().toISOString(), ...body };
    await store.putEntry(newEntry(report, photos, Date.now()));
    setScreen(null);
    await reload();
    void send();
  };

  const signIn = async (e: Event) => {
    e.preventDefault();
    const value = (new FormData(e.target as HTMLFormElement).get("link") as string) ?? "";
    const found = tokenFrom(value);
    if (!found) return setProblem("signInInvalid");
    await store.setToken(found);
    setMe(null);
    setToken(found);
  };

  const signOut = async () => {
    const unsent = entries.filter((e) => e.state !== "sent").length;
    if (!confirm(unsent ? t("signOutWarning", { count: unsent }) : t("signOutConfirm"))) return;
    await store.wipe();
    localStorage.removeItem(STATION_KEY);
    setToken(null); setMe(null); setForms(null); setEntries([]); setProblem(null);
  };

  const header = (
    <header>
      <strong>{t("title")}</strong>
      <span class={`net ${online ? "up" : "down"}`} data-testid="network">{t(online ? "online" : "offline")}</span>
      <select aria-label={t("language")} id="lang" value={lang} onChange={(e) => chooseLang((e.target as HTMLSelectElement).value as Lang)}>
        {LANGS.map((l) => <option value={l}>{{ kk: "Қазақша", ru: "Русский", en: "English" }[l]}</option>)}
      </select>
    </header>
  );
  if (token === undefined) return header;
  if (!token || !me) {
    return (
      <main lang={lang}>{header}
        <h1>{t("signInTitle")}</h1>
        {problem && <p class="problem" data-testid="problem">{t(problem)}</p>}
        <p>{t("signInHelp")}</p>
        <form onSubmit={signIn} class="sign-in">
          <label class="field"><span>{t("signInField")}</span><input name="link" id="link" autoComplete="off" /></label>
          <button type="submit">{t("signInButton")}</button>
        </form>
      </main>
    );
  }
  if (screen && forms) {
    return (
      <main lang={lang}>{header}
        <h1>{t(KINDS.find((k) => k.kind === screen.form)!.label)}</h1>
        <ReportForm kind={screen.form} lang={lang} forms={forms} stationId={screen.correcting?.report.station_id ?? stationId}
          initial={screen.correcting?.report} onSubmit={save} onCancel={() => setScreen(null)} />
      </main>
    );
  }
  return (
    <main lang={lang}>{header}
      {problem && <p class="problem" data-testid="problem">{t(problem)}</p>}
      {Math.abs(clockSkew) > CLOCK_TOLERANCE_MS && <p class="problem">{t("clockWrong", { minutes: Math.round(clockSkew / 60_000) })}</p>}
      <p class="who" data-i18n-data>{me.monitor.name}</p>
      <label class="field"><span>{t("station")}</span>
        <select id="station" data-i18n-data value={stationId} onChange={(e) => chooseStation((e.target as HTMLSelectElement).value)}>
          {me.stations.map((s) => <option value={s.id}>{s.id} · {s.name}</option>)}
        </select>
      </label>
      <h2>{t("newReport")}</h2>
      <nav class="kinds">
        {KINDS.map((k) => <button type="button" data-form={k.kind} disabled={!forms} onClick={() => setScreen({ form: k.kind })}>{t(k.label)}</button>)}
      </nav>
      <h2>{t("outbox")}</h2>
      {entries.length === 0 ? <p>{t("outboxEmpty")}</p> : (
        <ul class="outbox">
          {entries.map((e) => <EntryRow entry={e} lang={lang} onCorrect={() => setScreen({ form: kindOf(e.report), correcting: e })}
            onResend={async () => { await store.putEntry({ ...e, state: "waiting", nextAt: 0 }); await reload(); void send(); }}
            onDelete={async () => { if (confirm(t("deleteConfirm"))) { await store.deleteEntry(e.id); await reload(); } }} />)}
        </ul>
      )}
      {online && stationId && <StationView token={token} stationId={stationId} lang={lang} sent={entries.filter((e) => e.state === "sent").length} />}
      <Messages token={token} lang={lang} online={online} />
      <button type="button" class="secondary sign-out" id="sign-out" onClick={signOut}>{t("signOut")}</button>
    </main>
  );
}

const KIND_LABEL: Record<string, Key> = { checklist: "kindChecklist", turnout: "kindTurnout", incident: "kindIncident", protocol: "kindProtocol" };
const STATE_LABEL: Record<string, Key> = { waiting: "stateWaiting", sent: "stateSent", refused: "stateRefused" };

function EntryRow(p: { entry: OutboxEntry; lang: Lang; onCorrect(): void; onResend(): void; onDelete(): void }) {
  const { entry, lang } = p;
  const body = Object.keys(KIND_LABEL).find((k) => k in entry.report) ?? "checklist";
  const time = new Date(entry.report.observed_at).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  return (
    <li class={`entry ${entry.state}`} data-testid="entry" data-id={entry.id} data-state={entry.state}>
      <span>{time} · {say(lang, KIND_LABEL[body])} · <span data-i18n-data>{entry.report.station_id}</span></span>
      <strong class="state">{say(lang, STATE_LABEL[entry.state])}</strong>
      {entry.state === "waiting" && entry.attempts > 0 && (
        <small>{say(lang, "nextTry", { time: new Date(entry.nextAt).toLocaleTimeString(lang) })}</small>
      )}
      {entry.state === "refused" && (
        <>
          <ul class="errors">{(entry.errors ?? []).map((e) => <li data-code={e.code}>{refusal(lang, e.code)} <code data-i18n-data>{e.field}</code></li>)}</ul>
          <div class="actions">
            <button type="button" onClick={p.onCorrect}>{say(lang, "correct")}</button>
            <button type="button" class="secondary" onClick={p.onResend}>{say(lang, "resend")}</button>
            <button type="button" class="secondary" onClick={p.onDelete}>{say(lang, "deleteReport")}</button>
          </div>
        </>
      )}
    </li>
  );
}
