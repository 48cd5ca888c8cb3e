/**
 * Rule names, violation types, checklist items and alert texts from the message catalog the API
 * shares (services/common/catalog/*.json): the API sends codes and parameters, the page says them in
 * the reader's language. Renders as the API's `messageFor` does (services/common/catalog/__init__.py;
 * both check services/common/catalog/examples.json).
 */
import enCatalog from "../../../services/common/catalog/en.json";
import kkCatalog from "../../../services/common/catalog/kk.json";
import ruCatalog from "../../../services/common/catalog/ru.json";
import type { Alert, AlertText } from "../api/types";
import { locale, numberLocale, type Locale } from "./index";

export type Section = "rule" | "violation" | "checklist" | "phase" | "alert" | "verification";
export type Catalog = Record<Section, Record<string, string>>;

export const CATALOGS: Record<Locale, Catalog> = { en: enCatalog, ru: ruCatalog, kk: kkCatalog };
const SECTIONS = new Set<string>(["rule", "violation", "checklist", "phase", "alert", "verification"]);
const numbers = new Map<Locale, Intl.NumberFormat>();

/** The text for `code` in `section`: English when the language lacks it, the code spaced out when unknown. */
export function catalogText(section: Section, code: string, lang: Locale = locale()): string {
  return CATALOGS[lang][section][code] || CATALOGS.en[section][code] || code.replace(/_/g, " ");
}

/** Up to two decimals, grouped per language (CLDR, as the API's babel formats them). */
export function catalogNumber(value: number, lang: Locale = locale()): string {
  let f = numbers.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(numberLocale(lang), { maximumFractionDigits: 2 });
    numbers.set(lang, f);
  }
  return f.format(value);
}

/** One alert sentence: numbers formatted, codes through the section named like their placeholder. */
export function renderText(text: AlertText, lang: Locale = locale()): string {
  return catalogText("alert", text.key, lang).replace(/\{(\w+)\}/g, (m, name: string) => {
    if (!(name in text.params)) return m;
    const value = text.params[name];
    if (typeof value === "number") return catalogNumber(value, lang);
    return SECTIONS.has(name) ? catalogText(name as Section, value, lang) : value;
  });
}

/** An alert's message in the reader's language (its English `message` when it has no texts). */
export function alertMessage(a: Pick<Alert, "texts" | "message" | "state">, lang: Locale = locale()): string {
  if (!a.texts?.length) return a.message;
  const body = a.texts.map((x) => renderText(x, lang)).join("; ");
  return a.state === "RESOLVED" ? renderText({ key: "cleared", params: { message: body } }, lang) : body;
}

export function ruleName(rule: string): string {
  return catalogText("rule", rule);
}

/** Violation codes arrive in lower case (incidents) or as enum names (incidentsTotal keys). */
export function violationName(code: string): string {
  return catalogText("violation", code.toLowerCase());
}
