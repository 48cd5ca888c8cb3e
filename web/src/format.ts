/** Number, percentage and time formatting for the current locale (Intl, see numberLocale). */
import { locale, numberLocale, t } from "./strings";

const cache = new Map<string, Intl.NumberFormat>();

function nf(digits: number): Intl.NumberFormat {
  const k = `${locale()}:${digits}`;
  let f = cache.get(k);
  if (!f) {
    f = new Intl.NumberFormat(numberLocale(locale()), { minimumFractionDigits: digits, maximumFractionDigits: digits });
    cache.set(k, f);
  }
  return f;
}

export function int(n: number | null | undefined): string {
  return n == null || !Number.isFinite(n) ? "–" : nf(0).format(Math.round(n));
}

/** A percentage given in percent units (42.5 → "42.5%" in en, "42,5 %" in ru, "42,5%" in kk). */
export function pct(n: number | null | undefined, digits = 1): string {
  return n == null || !Number.isFinite(n) ? "–" : t("percent", { n: nf(digits).format(n) });
}

export function num(n: number | null | undefined, digits = 1): string {
  return n == null || !Number.isFinite(n) ? "–" : nf(digits).format(n);
}

/** "12:05:09" on `zone`'s clock (an IANA name; the browser's when null), 24-hour in every language. */
export function clock(iso: string | number | null | undefined, zone: string | null = null): string {
  if (iso == null) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  const timeZone = zone ?? undefined;
  return d.toLocaleTimeString(numberLocale(locale()), { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone });
}

/** "14:00" on a chart's time axis, on `zone`'s clock (the browser's when null). */
export function hourMinute(ms: number, zone: string | null = null): string {
  return new Date(ms).toLocaleTimeString(numberLocale(locale()), { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone ?? undefined });
}

/**
 * "5 s ago" / "5 сек. назад" / "5 сек. бұрын", relative to `now`: from the string tables, since
 * Chromium's Intl.RelativeTimeFormat has no Kazakh ("-3 min").
 */
export function ago(iso: string | number | null | undefined, now: number): string {
  if (iso == null) return "–";
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return "–";
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return t("agoSeconds", { n: int(s) });
  if (s < 3600) return t("agoMinutes", { n: int(Math.floor(s / 60)) });
  return t("agoHours", { n: int(Math.floor(s / 3600)) });
}
