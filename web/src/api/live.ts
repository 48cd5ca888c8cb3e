/**
 * Live subscriptions over graphql-transport-ws (graphql-ws client) with automatic reconnect,
 * resubscription and catch-up: each subscription tracks its sequence numbers; after a gap or a
 * reconnect its owner's `resync` runs (re-query the snapshot), so nothing missed stays missing.
 */
import { createClient, type Client } from "graphql-ws";
import { FATAL_CLOSE_CODES, initialConn, reduceConn, retryDelayMs, type ConnEvent, type ConnState } from "./connection";
import { SequenceTracker } from "./sequence";

export interface LiveSubscription<T> {
  query: string;
  variables?: Record<string, unknown>;
  /** Picks the numbered payload out of the message's data (e.g. data.stationUpdated). */
  select: (data: Record<string, unknown>) => (T & { seq: number }) | null;
  onValue: (value: T) => void;
  /** Re-query the snapshot: called after a gap, a reconnect, or a server-ended stream. */
  resync: () => void;
}

interface Active {
  spec: LiveSubscription<unknown>;
  tracker: SequenceTracker;
  dispose: () => void;
  closed: boolean;
}

export class Live {
  private client: Client;
  private state: ConnState = initialConn;
  private listeners = new Set<(s: ConnState) => void>();
  private active = new Set<Active>();
  private attempts = 0;

  constructor(url: string, apiKey: string) {
    this.client = createClient({
      url,
      connectionParams: { apiKey },
      lazy: false,
      keepAlive: 10_000,
      retryAttempts: Number.MAX_SAFE_INTEGER,
      shouldRetry: (e) => !(isCloseEvent(e) && FATAL_CLOSE_CODES.has(e.code)),
      retryWait: async (n) => {
        await new Promise((r) => setTimeout(r, retryDelayMs(n + 1)));
      },
      on: {
        connecting: () => this.emit({ type: "connecting" }),
        connected: (_socket, payload) => {
          const reconnect = this.state.connects > 0;
          const role = (payload as { role?: string } | undefined)?.role ?? null;
          this.attempts = 0;
          this.emit({ type: "connected", role });
          if (reconnect) this.resyncAll();
        },
        closed: (e) => this.emit({ type: "closed", code: isCloseEvent(e) ? e.code : 1006 }),
      },
    });
  }

  get connection(): ConnState {
    return this.state;
  }

  onState(listener: (s: ConnState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  subscribe<T>(spec: LiveSubscription<T>): () => void {
    const entry: Active = {
      spec: spec as LiveSubscription<unknown>,
      tracker: new SequenceTracker(),
      dispose: () => undefined,
      closed: false,
    };
    this.active.add(entry);
    this.start(entry);
    return () => {
      entry.closed = true;
      entry.dispose();
      this.active.delete(entry);
    };
  }

  dispose(): void {
    for (const a of this.active) a.dispose();
    this.active.clear();
    this.listeners.clear();
    void this.client.dispose();
  }

  private start(entry: Active): void {
    const { spec, tracker } = entry;
    entry.dispose = this.client.subscribe<Record<string, unknown>>(
      { query: spec.query, variables: spec.variables ?? {} },
      {
        next: (message) => {
          if (!message.data) return;
          const value = spec.select(message.data);
          if (!value) return;
          this.emit({ type: "message", at: Date.now() });
          const verdict = tracker.accept(value.seq);
          if (verdict === "stale") return;
          spec.onValue(value);
          if (verdict === "gap") {
            this.emit({ type: "gap" });
            spec.resync();
          }
        },
        error: (e) => {
          // A field this role may not read will not become readable by retrying.
          if (Array.isArray(e) && e.some((x: { extensions?: { code?: string } }) => x.extensions?.code === "FORBIDDEN")) return;
          this.restartLater(entry);
        },
        // The server ended the stream (e.g. SUBSCRIBER_OVERFLOW or shutdown): catch up and go on.
        complete: () => this.restartLater(entry),
      },
    );
  }

  private restartLater(entry: Active): void {
    if (entry.closed || this.state.status === "rejected") return;
    this.attempts += 1;
    setTimeout(() => {
      if (entry.closed) return;
      entry.tracker.reset();
      this.start(entry);
      entry.spec.resync();
    }, retryDelayMs(this.attempts));
  }

  /** After a reconnect graphql-ws resubscribes by itself; numbering restarts, snapshots are stale. */
  private resyncAll(): void {
    for (const a of this.active) {
      a.tracker.reset();
      a.spec.resync();
    }
  }

  private emit(event: ConnEvent): void {
    const next = reduceConn(this.state, event);
    if (next === this.state) return;
    this.state = next;
    if (event.type === "message" && this.listeners.size > 0) return this.notifyThrottled();
    for (const l of this.listeners) l(next);
  }

  private pending = false;
  /** Message timestamps change constantly: tell listeners at most once a second. */
  private notifyThrottled(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      for (const l of this.listeners) l(this.state);
    }, 1000);
  }
}

function isCloseEvent(e: unknown): e is { code: number } {
  return typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "number";
}

export function wsUrl(loc: Location = window.location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/graphql`;
}
