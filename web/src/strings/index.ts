import { en, type StringKey, type Strings } from "./en";
import { kk } from "./kk";
import { ru } from "./ru";

export type Locale = "en" | "ru" | "kk";
export const LOCALES: readonly Locale[] = ["en", "ru", "kk"];
/** Each language's name in itself, for the switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", ru: "Русский", kk: "Қазақша" };
export const TABLES: Record<Locale, Strings> = { en, ru, kk };
const STORAGE_KEY = "pollwatch.lang";

let current: Locale = "en";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The language to start in: `?lang=` when given, else the one chosen before in this browser, else the
 * first of the browser's languages we have (kk-KZ → kk, ru-RU → ru), else English.
 */
export function pickLocale(query: string | null, stored: string | null, browser: readonly string[]): Locale {
  if (isLocale(query)) return query;
  if (isLocale(stored)) return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

export function startLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage refused (privacy mode): the browser's language still applies.
  }
  return pickLocale(new URLSearchParams(location.search).get("lang"), stored, navigator.languages ?? [navigator.language]);
}

/** Switches the language and remembers it for this browser. */
export function chooseLocale(locale: Locale): void {
  setLocale(locale);
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered, but switched.
  }
}

let kazakhSample: string | null = null;

/**
 * The Intl locale to format numbers in. Chromium's ICU data has no number symbols for Kazakh (it
 * formats 1234.5 as "1,234.5"); Kazakh writes numbers as Russian does (CLDR: decimal comma, grouped by
 * no-break spaces, as the API's babel prints them), so then Russian's rules stand in.
 */
export function numberLocale(lang: Locale): string {
  kazakhSample ??= new Intl.NumberFormat("kk").format(1234.5);
  return pickNumberLocale(lang, kazakhSample);
}

/** `kazakhSample`: how this browser formats 1234.5 in "kk". */
export function pickNumberLocale(lang: Locale, kazakhSample: string): string {
  return lang === "kk" && kazakhSample !== "1\u00a0234,5" ? "ru" : lang;
}

export function setLocale(locale: Locale): void {
  current = locale;
  if (typeof document !== "undefined") document.documentElement.lang = locale;
}

export function locale(): Locale {
  return current;
}

/** The text for `key` in the current locale, `{name}` filled from `vars`. */
export function t(key: StringKey, vars?: Record<string, string | number>): string {
  const text = TABLES[current][key] ?? en[key];
  return vars ? fill(text, vars) : text;
}

export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
