import { LOCALE_NAMES, LOCALES, t, type Locale } from "../strings";

/** English / Русский / Қазақша, each named in itself; the choice is remembered by the browser. */
export function LanguageSwitcher({ value, onChange }: { value: Locale; onChange: (locale: Locale) => void }) {
  return (
    <label class="lang">
      <span class="visually-hidden">{t("language")}</span>
      <select value={value} data-testid="language" onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
