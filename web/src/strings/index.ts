import { en, type StringKey, type Strings } from "./en";
import { kk } from "./kk";
import { ru } from "./ru";

export type Locale = "en" | "ru" | "kk";
const tables: Record<Locale, Partial<Strings>> = { en, ru, kk };

let current: Locale = "en";

export function setLocale(locale: Locale): void {
  current = locale;
  document.documentElement.lang = locale;
}

export function locale(): Locale {
  return current;
}

/** The text for `key` in the current locale (English when untranslated), `{name}` filled from `vars`. */
export function t(key: StringKey, vars?: Record<string, string | number>): string {
  const text = tables[current][key] ?? en[key];
  return vars ? fill(text, vars) : text;
}

export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
