/** Number, percentage and time formatting for the current locale. */
import { locale } from "./strings";

const cache = new Map<string, Intl.NumberFormat>();

function nf(digits: number): Intl.NumberFormat {
  const k = `${locale()}:${digits}`;
  let f = cache.get(k);
  if (!f) {
    f = new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits });
    cache.set(k, f);
  }
  return f;
}

export function int(n: number | null | undefined): string {
  return n == null || !Number.isFinite(n) ? "–" : nf(0).format(Math.round(n));
}

/** A percentage given in percent units (42.5 → "42.5%"). */
export function pct(n: number | null | undefined, digits = 1): string {
  return n == null || !Number.isFinite(n) ? "–" : `${nf(digits).format(n)}%`;
}

export function num(n: number | null | undefined, digits = 1): string {
  return n == null || !Number.isFinite(n) ? "–" : nf(digits).format(n);
}

/** "12:05:09" in the browser's time zone. */
export function clock(iso: string | number | null | undefined): string {
  if (iso == null) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  return d.toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}

/** "5 s ago", "3 min ago", "2 h ago" relative to `now`. */
export function ago(iso: string | number | null | undefined, now: number): string {
  if (iso == null) return "–";
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return "–";
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}
