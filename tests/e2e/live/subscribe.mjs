// One subscription through the graphql-ws reference client, reported as JSON lines on stdout:
// {"event":"connected"}, {"event":"next","payload":...}, {"event":"error","error":...},
// {"event":"complete"}, {"event":"closed","code":...}. Exits when stdin closes.
// Env: PW_WS_URL, PW_API_KEY, PW_QUERY (and PW_VARIABLES, JSON).
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const out = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const client = createClient({
  url: process.env.PW_WS_URL,
  webSocketImpl: WebSocket,
  connectionParams: { apiKey: process.env.PW_API_KEY },
  lazy: false,
  retryAttempts: 0,
  on: {
    connected: () => out({ event: "connected" }),
    closed: (e) => out({ event: "closed", code: e?.code ?? null }),
  },
});

// A graphql-ws sink's error is an array of GraphQL errors, a CloseEvent or an Error.
const describe = (e) =>
  Array.isArray(e) ? e : e instanceof Error ? { message: e.message } : { code: e?.code, reason: e?.reason };

client.subscribe(
  { query: process.env.PW_QUERY, variables: JSON.parse(process.env.PW_VARIABLES || "{}") },
  {
    next: (payload) => out({ event: "next", payload }),
    error: (e) => out({ event: "error", error: describe(e) }),
    complete: () => out({ event: "complete" }),
  },
);

process.stdin.resume();
process.stdin.on("end", async () => {
  await client.dispose();
  process.exit(0);
});
