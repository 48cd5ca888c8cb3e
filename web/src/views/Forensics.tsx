import type { Controller } from "../state/controller";
import { t } from "../strings";

/**
 * The fingerprint heatmap and integer-percentage figures appear here once the API exposes the
 * forensics work (a `forensics` Query field); until then the navigation leaves this view out.
 */
export function ForensicsView({ ctl }: { ctl: Controller }) {
  return (
    <section class="card" aria-labelledby="forensics-title">
      <h1 id="forensics-title">{t("forensicsTitle")}</h1>
      <p class="muted">{ctl.queryFields.has("forensics") ? t("loading") : t("forensicsUnavailable")}</p>
    </section>
  );
}
