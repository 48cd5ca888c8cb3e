/**
 * The WebSocket connection's state as the user sees it, as a pure reducer over client events.
 *
 * connecting → live (acknowledged) → reconnecting (closed unexpectedly, retrying) → live ...;
 * rejected when the server refuses the key (4403/4401: retrying cannot help); offline once the
 * client gave up or the browser reports no network.
 */
export type ConnStatus = "connecting" | "live" | "reconnecting" | "offline" | "rejected";

export interface ConnState {
  status: ConnStatus;
  attempt: number;
  connects: number;
  role: string | null;
  lastMessageAt: number | null;
  gapsRecovered: number;
}

export type ConnEvent =
  | { type: "connecting" }
  | { type: "connected"; role: string | null }
  | { type: "closed"; code: number }
  | { type: "message"; at: number }
  | { type: "gap" }
  | { type: "gave-up" };

export const initialConn: ConnState = {
  status: "connecting",
  attempt: 0,
  connects: 0,
  role: null,
  lastMessageAt: null,
  gapsRecovered: 0,
};

/** Close codes after which reconnecting with the same key is pointless. */
export const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403]);

export function reduceConn(state: ConnState, event: ConnEvent): ConnState {
  switch (event.type) {
    case "connecting":
      if (state.status === "rejected") return state;
      return {
        ...state,
        status: state.connects === 0 && state.attempt === 0 ? "connecting" : "reconnecting",
        attempt: state.attempt + 1,
      };
    case "connected":
      return { ...state, status: "live", attempt: 0, connects: state.connects + 1, role: event.role };
    case "closed":
      if (FATAL_CLOSE_CODES.has(event.code)) return { ...state, status: "rejected" };
      if (state.status === "rejected" || state.status === "offline") return state;
      return { ...state, status: "reconnecting" };
    case "message":
      return { ...state, lastMessageAt: event.at };
    case "gap":
      return { ...state, gapsRecovered: state.gapsRecovered + 1 };
    case "gave-up":
      return state.status === "rejected" ? state : { ...state, status: "offline" };
  }
}

/** Delay before reconnect attempt `n` (1-based): exponential from 500 ms, capped at 10 s, with jitter. */
export function retryDelayMs(n: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, n - 1));
  return Math.round(base * (0.75 + 0.5 * random()));
}
