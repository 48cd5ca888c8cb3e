import { useState } from "preact/hooks";
import type { Severity } from "../api/types";
import type { Controller } from "../state/controller";
import { useStore } from "../state/hooks";
import { t } from "../strings";
import { AlertCard } from "./AlertCard";

const RANK: Record<Severity, number> = { INFO: 0, WARNING: 1, CRITICAL: 2 };
const SHOWN = 300;

export function AlertsView({ ctl }: { ctl: Controller }) {
  useStore(ctl.store);
  const [min, setMin] = useState<Severity>("INFO");
  const [openOnly, setOpenOnly] = useState(false);
  const list = ctl.store
    .alertList()
    .filter((a) => RANK[a.severity] >= RANK[min] && (!openOnly || a.state === "OPEN"))
    .slice(0, SHOWN);
  return (
    <section class="card" aria-labelledby="alerts-title">
      <div class="toolbar">
        <h1 id="alerts-title">{t("alertFeed")}</h1>
        <label>
          <span class="visually-hidden">{t("allSeverities")}</span>
          <select value={min} onChange={(e) => setMin((e.target as HTMLSelectElement).value as Severity)}>
            <option value="INFO">{t("allSeverities")}</option>
            <option value="WARNING">≥ {t("severityWarning")}</option>
            <option value="CRITICAL">{t("severityCritical")}</option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly((e.target as HTMLInputElement).checked)} />
          {t("onlyOpen")}
        </label>
      </div>
      {list.length === 0 ? (
        <p class="muted">{t("noAlerts")}</p>
      ) : (
        <ul class="alert-list" data-testid="alert-feed" aria-live="polite">
          {list.map((a) => (
            <AlertCard key={a.id} alert={a} ctl={ctl} />
          ))}
        </ul>
      )}
    </section>
  );
}
