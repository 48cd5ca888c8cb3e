import { useState } from "preact/hooks";
import { gql } from "../api/graphql";
import { ACKNOWLEDGE, RESOLVE } from "../api/queries";
import type { Alert } from "../api/types";
import { SeverityChip } from "../components/Severity";
import { num } from "../format";
import { href } from "../router";
import type { Controller } from "../state/controller";
import { t } from "../strings";
import { alertMessage, renderText, ruleName } from "../strings/catalog";
import { localClock } from "../zones";

/** One alert: what fired and why (value vs threshold, the reports behind it); ops actions for admins. */
export function AlertCard({ alert: a, ctl }: { alert: Alert; ctl: Controller }) {
  const [busy, setBusy] = useState(false);
  const region = ctl.store.regions.get(a.regionId);
  const act = async (doc: string, field: string) => {
    setBusy(true);
    try {
      const { data } = await gql<Record<string, Alert>>(ctl.key, doc, { id: a.id });
      if (data[field]) ctl.store.upsertAlert(data[field]);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class={`alert-card sev-border-${a.severity.toLowerCase()}${a.state === "RESOLVED" ? " resolved" : ""}`} data-alert={a.id} data-rule={a.rule}>
      <div class="alert-head">
        <SeverityChip severity={a.severity} />
        <strong class="alert-rule">{ruleName(a.rule)}</strong>
        {a.state === "RESOLVED" && <span class="pill">{t("resolved")}</span>}
        <span class="muted small alert-time">{t("opened", { t: localClock(ctl.store.zones, a.openedAt, a.regionId) })}</span>
      </div>
      {a.texts?.length > 1 ? (
        // Several reasons (a protocol failing several checks): one per line.
        <ul class="alert-msg alert-texts">
          {a.texts.map((x, i) => (
            <li key={i}>{renderText(x)}</li>
          ))}
        </ul>
      ) : (
        <p class="alert-msg">{alertMessage(a)}</p>
      )}
      <p class="alert-why small">
        {a.stationId && <a href={href("station", a.stationId)} class="mono">{a.stationId}</a>}
        {region && <span data-i18n-data> · {region.name}</span>}
        <span> · {t("valueVsThreshold", { v: num(a.value, 2), th: num(a.threshold, 2) })}</span>
        {a.confidence > 0 && a.confidence < 1 && <span> · {t("confidence", { v: num(a.confidence, 2) })}</span>}
      </p>
      {a.reportIds.length > 0 && (
        <details class="small">
          <summary>
            {t("reportsBehind")} ({a.reportIds.length})
          </summary>
          <ul class="mono report-ids">
            {a.reportIds.map((id) => (
              <li key={id}>{id}</li>
            ))}
          </ul>
        </details>
      )}
      {ctl.canActOnAlerts && a.state === "OPEN" && (
        <div class="alert-actions">
          <button type="button" disabled={busy} onClick={() => act(ACKNOWLEDGE, "acknowledgeAlert")}>
            {t("acknowledge")}
          </button>
          <button type="button" disabled={busy} onClick={() => act(RESOLVE, "resolveAlert")}>
            {t("resolve")}
          </button>
        </div>
      )}
    </li>
  );
}
