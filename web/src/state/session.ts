/** The API key for this browser tab: sessionStorage only (never the URL, never localStorage). */
const KEY = "pollwatch.apiKey";

export function loadKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
