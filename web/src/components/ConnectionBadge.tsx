import type { ConnState } from "../api/connection";
import { t } from "../strings";
import { localClock, NO_ZONES, type Zones } from "../zones";

const LABEL = {
  connecting: "connConnecting",
  live: "connLive",
  reconnecting: "connReconnecting",
  offline: "connOffline",
  rejected: "connRejected",
} as const;

/** Always visible: the live connection's state, the last update's time and recovered gaps. */
export function ConnectionBadge({ conn, zones = NO_ZONES }: { conn: ConnState; zones?: Zones }) {
  const details = [
    conn.status === "reconnecting" && conn.attempt > 0 ? t("connAttempt", { n: conn.attempt }) : null,
    conn.lastMessageAt ? t("connLastMessage", { t: localClock(zones, conn.lastMessageAt) }) : null,
    conn.gapsRecovered > 0 ? t("connGaps", { n: conn.gapsRecovered }) : null,
  ].filter(Boolean);
  return (
    <div class={`conn conn-${conn.status}`} role="status" aria-live="polite" data-testid="connection" data-status={conn.status}>
      <span class="dot" aria-hidden="true" />
      <strong>{t(LABEL[conn.status])}</strong>
      {details.length > 0 && <span class="conn-details">{details.join(" · ")}</span>}
    </div>
  );
}
