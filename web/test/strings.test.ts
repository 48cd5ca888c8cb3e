import { describe, expect, it } from "vitest";
import examples from "../../services/common/catalog/examples.json";
import { LOCALES, pickLocale, TABLES } from "../src/strings";
import { alertMessage, CATALOGS, renderText, violationName } from "../src/strings/catalog";
import { en } from "../src/strings/en";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("dashboard strings", () => {
  it("every locale has every key, none empty, with the same placeholders", () => {
    for (const lang of LOCALES) {
      const table = TABLES[lang] as Record<string, string>;
      expect(Object.keys(table).sort(), lang).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        expect(table[key].trim(), `${lang}.${key}`).not.toBe("");
        expect(placeholders(table[key]), `${lang}.${key}`).toEqual(placeholders(text));
      }
    }
  });

  it("Russian and Kazakh are translations, not English copies", () => {
    // Codes and names that read the same in every language.
    const same = new Set(["appName", "intZ", "intP", "percent", "timeInZone"]);
    for (const lang of ["ru", "kk"] as const) {
      const copied = Object.entries(en).filter(([k, v]) => !same.has(k) && (TABLES[lang] as Record<string, string>)[k] === v);
      expect(copied.map(([k]) => k), lang).toEqual([]);
    }
  });
});

describe("message catalog", () => {
  it("every locale has the sections and keys English has, with the same placeholders", () => {
    for (const lang of LOCALES) {
      for (const [section, texts] of Object.entries(CATALOGS.en)) {
        const other = (CATALOGS[lang] as Record<string, Record<string, string>>)[section];
        expect(Object.keys(other).sort(), `${lang}.${section}`).toEqual(Object.keys(texts).sort());
        for (const [key, text] of Object.entries(texts)) expect(placeholders(other[key]), `${lang}.${section}.${key}`).toEqual(placeholders(text));
      }
    }
  });

  it("renders as the API does (services/common/catalog/examples.json)", () => {
    for (const c of examples.examples) {
      expect(renderText({ key: c.key, params: c.params as unknown as Record<string, number | string> }, c.lang as "en" | "ru" | "kk"), `${c.lang} ${c.key}`).toBe(c.text);
    }
  });

  it("says an alert in the reader's language, cleared once resolved, and falls back to the API's message", () => {
    const texts = [{ key: "abnormal_turnout", params: { value: 91.5, threshold: 90 } }];
    expect(alertMessage({ texts, message: "Turnout 91.5%, at or above 90%", state: "OPEN" }, "kk")).toBe("Келу 91,5%, шекті мән 90%");
    expect(alertMessage({ texts, message: "", state: "RESOLVED" }, "ru")).toBe("Снято: Явка 91,5% при пороге 90%");
    expect(alertMessage({ texts: [], message: "turnout rose fast", state: "OPEN" }, "ru")).toBe("turnout rose fast");
    expect(violationName("BALLOT_STUFFING")).toBe("Ballot stuffing");
  });
});

describe("choosing the language", () => {
  it("takes ?lang=, then the remembered choice, then the browser's languages, then English", () => {
    expect(pickLocale("kk", "ru", ["en-US"])).toBe("kk");
    expect(pickLocale(null, "ru", ["kk-KZ"])).toBe("ru");
    expect(pickLocale("xx", null, ["de-DE", "kk-KZ", "ru"])).toBe("kk");
    expect(pickLocale(null, "fr", ["RU"])).toBe("ru");
    expect(pickLocale(null, null, ["de-DE", "en-GB"])).toBe("en");
    expect(pickLocale(null, null, [])).toBe("en");
  });
});
