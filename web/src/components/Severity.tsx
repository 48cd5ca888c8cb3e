import type { Severity } from "../api/types";
import { t } from "../strings";

const KEY = { INFO: "severityInfo", WARNING: "severityWarning", CRITICAL: "severityCritical" } as const;

export function SeverityChip({ severity, count }: { severity: Severity; count?: number }) {
  return (
    <span class={`sev sev-${severity.toLowerCase()}`}>
      {t(KEY[severity])}
      {count !== undefined && <strong class="sev-count">{count}</strong>}
    </span>
  );
}
