import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { initialConn, type ConnState } from "./api/connection";
import { Live, wsUrl } from "./api/live";
import { ConnectionBadge } from "./components/ConnectionBadge";
import { KeyEntry } from "./components/KeyEntry";
import { LanguageSwitcher } from "./components/LanguageSwitcher";
import { href, parseRoute, type Route, type RouteName } from "./router";
import { Controller } from "./state/controller";
import { useStore } from "./state/hooks";
import { forgetKey, loadKey, saveKey } from "./state/session";
import { Store } from "./state/store";
import { chooseLocale, locale, t, type Locale } from "./strings";
import type { StringKey } from "./strings/en";
import { AlertsView } from "./views/Alerts";
import { FindingsView } from "./views/Findings";
import { ReadinessView } from "./views/Readiness";
import { ForensicsView } from "./views/Forensics";
import { OverviewView } from "./views/Overview";
import { RegionsView } from "./views/Regions";
import { ReviewView } from "./views/Review";
import { StationsView } from "./views/Stations";
import { StationView } from "./views/Station";

function useRoute(): Route {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

const ROLE_KEY: Record<string, StringKey> = { public: "rolePublic", partner: "rolePartner", analyst: "roleAnalyst", coordinator: "roleCoordinator", admin: "roleAdmin" };

export function App() {
  const [key, setKey] = useState<string | null>(loadKey());
  const [rejected, setRejected] = useState(false);
  // Every text reads the current locale when rendered: switching re-renders from the root.
  const [lang, setLang] = useState<Locale>(locale());
  const language = <LanguageSwitcher value={lang} onChange={(l) => { chooseLocale(l); setLang(l); }} />;
  if (!key) {
    return (
      <KeyEntry
        language={language}
        rejected={rejected}
        onKey={(k) => {
          saveKey(k);
          setRejected(false);
          setKey(k);
        }}
      />
    );
  }
  return (
    <Session
      key={key}
      apiKey={key}
      language={language}
      onSignOut={(wasRejected) => {
        forgetKey();
        setRejected(wasRejected);
        setKey(null);
      }}
    />
  );
}

function Session({ apiKey, language, onSignOut }: { apiKey: string; language: JSX.Element; onSignOut: (rejected: boolean) => void }) {
  const store = useMemo(() => new Store(), [apiKey]);
  const [conn, setConn] = useState<ConnState>(initialConn);
  const [ctl, setCtl] = useState<Controller | null>(null);

  useEffect(() => {
    const live = new Live(wsUrl(), apiKey);
    let controller: Controller | null = null;
    const off = live.onState((s) => {
      setConn(s);
      if (s.status === "rejected") onSignOut(true);
      if (s.status === "live" && !controller) {
        controller = new Controller(apiKey, live, store, s.role ?? "public");
        controller.start();
        setCtl(controller);
      }
    });
    return () => {
      off();
      controller?.dispose();
      live.dispose();
    };
  }, [apiKey]);

  return (
    <>
      <a class="skip" href="#main">
        {t("skipToContent")}
      </a>
      <Header conn={conn} ctl={ctl} store={store} language={language} onSignOut={() => onSignOut(false)} />
      <main id="main" tabIndex={-1}>
        {ctl ? <Content ctl={ctl} /> : <p class="muted pad">{t("loading")}</p>}
      </main>
    </>
  );
}

const NAV: { name: RouteName; label: StringKey; allowed: (c: Controller) => boolean }[] = [
  { name: "overview", label: "navOverview", allowed: () => true },
  { name: "regions", label: "navRegions", allowed: () => true },
  { name: "findings", label: "navFindings", allowed: () => true },
  { name: "readiness", label: "navReadiness", allowed: () => true },
  { name: "stations", label: "navStations", allowed: (c) => c.canSeeStations },
  { name: "alerts", label: "navAlerts", allowed: (c) => c.canSeeStations },
  { name: "review", label: "navReview", allowed: (c) => c.canReview },
  { name: "forensics", label: "navForensics", allowed: (c) => c.queryFields.has("forensics") },
];

function Header({ conn, ctl, store, language, onSignOut }: { conn: ConnState; ctl: Controller | null; store: Store; language: JSX.Element; onSignOut: () => void }) {
  const route = useRoute();
  useStore(store);
  const current = route.name === "station" ? "stations" : route.name;
  return (
    <header class="top">
      <div class="brand">
        <span class="logo" aria-hidden="true">◉</span> {t("appName")}
      </div>
      <nav aria-label={t("mainNavigation")}>
        <ul>
          {ctl &&
            NAV.filter((n) => n.allowed(ctl)).map((n) => (
              <li key={n.name}>
                <a href={href(n.name)} aria-current={current === n.name ? "page" : undefined}>
                  {t(n.label)}
                </a>
              </li>
            ))}
        </ul>
      </nav>
      <div class="top-right">
        <ConnectionBadge conn={conn} zones={store.zones} />
        {conn.role && (
          <span class="role small" data-testid="role" data-role={conn.role}>
            {t("role")}: {ROLE_KEY[conn.role] ? t(ROLE_KEY[conn.role]) : conn.role}
          </span>
        )}
        {language}
        <button type="button" class="link" onClick={onSignOut}>
          {t("signOut")}
        </button>
      </div>
    </header>
  );
}

function Content({ ctl }: { ctl: Controller }) {
  const route = useRoute();
  // What a role may not see is simply absent: its routes fall back to the overview.
  switch (route.name) {
    case "regions":
      return <RegionsView ctl={ctl} />;
    case "findings":
      return <FindingsView ctl={ctl} />;
    case "readiness":
      return <ReadinessView ctl={ctl} />;
    case "stations":
      return ctl.canSeeStations ? <StationsView ctl={ctl} params={route.params} /> : <OverviewView ctl={ctl} />;
    case "station":
      return ctl.canSeeStations && route.id ? <StationView ctl={ctl} id={route.id} /> : <OverviewView ctl={ctl} />;
    case "alerts":
      return ctl.canSeeStations ? <AlertsView ctl={ctl} /> : <OverviewView ctl={ctl} />;
    case "review":
      return ctl.canReview ? <ReviewView ctl={ctl} /> : <OverviewView ctl={ctl} />;
    case "forensics":
      return <ForensicsView ctl={ctl} params={route.params} />;
    default:
      return <OverviewView ctl={ctl} />;
  }
}
