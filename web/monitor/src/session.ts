/**
 * Sign-in links as credential sheets print them (services/common/monitors/tokens.py):
 * `<ingest>/m/#t=<token>`. The token rides in the fragment, which the browser never sends; the app
 * stores it and takes it out of the address at once.
 */
const TOKEN = /^pw_[A-Za-z0-9_-]{16,128}$/;

/** The token in a link's fragment (`#t=...`), a pasted link, or a bare token; null otherwise. */
export function tokenFrom(text: string): string | null {
  const trimmed = text.trim();
  const hash = trimmed.includes("#") ? trimmed.slice(trimmed.indexOf("#") + 1) : trimmed;
  const candidate = new URLSearchParams(hash).get("t") ?? hash;
  return TOKEN.test(candidate) ? candidate : null;
}
