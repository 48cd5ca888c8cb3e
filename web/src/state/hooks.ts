import { useEffect, useState } from "preact/hooks";
import type { Store } from "./store";

/** Re-renders the calling component whenever the store notifies (at most every NOTIFY_MS). */
export function useStore(store: Store): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => store.subscribe(() => setVersion(store.version)), [store]);
  return version;
}

/** The current time, refreshed every `ms` (for "5 s ago" labels). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
