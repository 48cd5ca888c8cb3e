import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { t } from "../strings";

export function KeyEntry({ onKey, rejected, language }: { onKey: (key: string) => void; rejected: boolean; language: JSX.Element }) {
  const [value, setValue] = useState("");
  return (
    <main class="key-entry" id="main">
      <form
        class="card key-card"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onKey(value.trim());
        }}
      >
        <div class="key-top">
          <h1>{t("appName")}</h1>
          {language}
        </div>
        <p class="muted">{t("appTagline")}</p>
        <h2>{t("keyTitle")}</h2>
        <label for="api-key">{t("keyLabel")}</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          autoFocus
          required
        />
        {rejected && (
          <p class="error" role="alert">
            {t("keyRejected")}
          </p>
        )}
        <p class="muted small">{t("keyHelp")}</p>
        <button type="submit" class="primary">
          {t("keySubmit")}
        </button>
      </form>
    </main>
  );
}
