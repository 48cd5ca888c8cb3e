/**
 * The outbox: reports wait on the phone until ingest acknowledges them (202: accepted or
 * duplicate). A network failure, a 5xx or a report answered `unavailable` is retried with
 * exponential backoff; a refusal (4xx, or `rejected` in the results) is kept with the server's
 * errors so that the monitor can correct and resend it. Nothing leaves the outbox unacknowledged.
 */
import type { OutboxEntry, Report, ServerError, StoredPhoto } from "./types";

const BASE_MS = 2_000;
const MAX_MS = 5 * 60_000;
// Well under ingest's INGEST_MAX_BATCH (1,000) and its body limit; the rest go in the next flush.
const MAX_BATCH = 100;

/** Milliseconds to wait after `attempts` failed tries: doubling from 2 s up to 5 min, ±20 % jitter. */
export function backoff(attempts: number, random: () => number = Math.random): number {
  const plain = Math.min(MAX_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

export type Outcome = { kind: "sent" } | { kind: "refused"; errors: ServerError[] } | { kind: "retry" } | { kind: "signed_out" };

interface Result {
  index: number;
  status: string;
  errors?: ServerError[];
}

/** What a POST /v1/reports answer means for each of the `count` reports sent in it. */
export function outcomes(status: number, body: unknown, count: number): Outcome[] {
  if (status === 401) return Array.from({ length: count }, () => ({ kind: "signed_out" }));
  const results = (body as { results?: Result[] } | null)?.results;
  if (Array.isArray(results) && results.length === count) {
    return results.map((r) => {
      if (r.status === "accepted" || r.status === "duplicate") return { kind: "sent" };
      if (r.status === "rejected") return { kind: "refused", errors: (r.errors ?? []).map(stripIndex) };
      return { kind: "retry" };
    });
  }
  const whole = (body as { error?: ServerError } | null)?.error;
  if (status >= 400 && status < 500 && whole) return Array.from({ length: count }, () => ({ kind: "refused", errors: [whole] }));
  return Array.from({ length: count }, () => ({ kind: "retry" })); // 5xx, 429, anything unreadable
}

/** `reports[2].turnout.ballots_issued` → `turnout.ballots_issued`: the path inside the report. */
function stripIndex(e: ServerError): ServerError {
  return { ...e, field: e.field.replace(/^reports\[\d+\]\.?/, "") };
}

/** The entry after one outcome at time `now`. */
export function settle(entry: OutboxEntry, outcome: Outcome, now: number): OutboxEntry {
  switch (outcome.kind) {
    case "sent":
      return { ...entry, state: "sent", sentAt: now, errors: undefined };
    case "refused":
      return { ...entry, state: "refused", errors: outcome.errors };
    default: {
      const attempts = entry.attempts + 1;
      return { ...entry, state: "waiting", attempts, nextAt: now + backoff(attempts) };
    }
  }
}

export function due(entries: OutboxEntry[], now: number): OutboxEntry[] {
  return entries.filter((e) => e.state === "waiting" && e.nextAt <= now).sort((a, b) => a.createdAt - b.createdAt);
}

export function newEntry(report: Report, photos: string[], now: number): OutboxEntry {
  return { id: report.id, report, photos, state: "waiting", attempts: 0, nextAt: now, createdAt: now };
}

/** What a flush needs from the world: storage, the clock and HTTP, so tests hand in their own. */
export interface Ports {
  now(): number;
  entries(): Promise<OutboxEntry[]>;
  put(entry: OutboxEntry): Promise<void>;
  photo(id: string): Promise<StoredPhoto | undefined>;
  putPhoto(photo: StoredPhoto): Promise<void>;
  post(path: string, body: BodyInit, contentType: string): Promise<{ status: number; body: unknown }>;
}

/** Uploads a photo unless it is uploaded already; the outcome for the reports naming it. */
async function upload(ports: Ports, id: string): Promise<Outcome> {
  const photo = await ports.photo(id);
  if (!photo) return { kind: "refused", errors: [{ field: "evidence_ids", code: "bad_evidence_id", message: "the photo is gone from the phone" }] };
  if (photo.uploaded) return { kind: "sent" };
  const query = `?station_id=${encodeURIComponent(photo.station_id)}`;
  const answer = await ports.post(`/v1/evidence${query}`, photo.blob, photo.blob.type || "image/jpeg");
  if (answer.status === 200 || answer.status === 201) {
    await ports.putPhoto({ ...photo, uploaded: true });
    return { kind: "sent" };
  }
  return outcomes(answer.status, answer.body, 1)[0];
}

/**
 * Sends every due report once: photos first (each by itself), then the reports whose photos are
 * all uploaded, in one batch. Answers whether the server refused the token.
 */
export async function flush(ports: Ports): Promise<{ signedOut: boolean }> {
  const ready: OutboxEntry[] = [];
  let signedOut = false;
  for (const entry of due(await ports.entries(), ports.now()).slice(0, MAX_BATCH)) {
    let blocked: Outcome | null = null;
    for (const id of entry.photos) {
      const outcome = await upload(ports, id).catch((): Outcome => ({ kind: "retry" }));
      if (outcome.kind !== "sent") {
        blocked = outcome;
        break;
      }
    }
    if (blocked) {
      signedOut ||= blocked.kind === "signed_out";
      await ports.put(settle(entry, blocked, ports.now()));
    } else ready.push(entry);
  }
  if (!ready.length) return { signedOut };
  const body = JSON.stringify({ reports: ready.map((e) => e.report) });
  const answer = await ports.post("/v1/reports", body, "application/json").catch(() => ({ status: 0, body: null }));
  const results = outcomes(answer.status, answer.body, ready.length);
  for (const [i, entry] of ready.entries()) {
    signedOut ||= results[i].kind === "signed_out";
    await ports.put(settle(entry, results[i], ports.now()));
  }
  return { signedOut };
}
