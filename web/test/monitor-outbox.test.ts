import { describe, expect, it } from "vitest";
import { backoff, due, flush, newEntry, outcomes, settle, type Ports } from "../monitor/src/outbox";
import type { OutboxEntry, Report, StoredPhoto } from "../monitor/src/types";

const report = (id: string, extra: Partial<Report> = {}): Report =>
  ({ id, station_id: "ALA-0001", observed_at: "2026-03-01T10:00:00Z", turnout: { ballots_issued: 5, home_voting_applications: 0 }, ...extra }) as Report;

/** An outbox in memory and a server that answers from a script, recording what it was sent. */
function world(answers: ((path: string, body: BodyInit) => { status: number; body: unknown })[], start: OutboxEntry[] = []) {
  const store = new Map(start.map((e) => [e.id, e]));
  const photos = new Map<string, StoredPhoto>();
  const sent: { path: string; body: BodyInit }[] = [];
  let clock = 1_000;
  const ports: Ports = {
    now: () => clock,
    entries: async () => [...store.values()],
    put: async (e) => void store.set(e.id, e),
    photo: async (id) => photos.get(id),
    putPhoto: async (p) => void photos.set(p.id, p),
    post: async (path, body) => {
      sent.push({ path, body });
      const next = answers.shift();
      if (!next) throw new TypeError("Failed to fetch");
      return next(path, body);
    },
  };
  return { ports, store, photos, sent, advance: (ms: number) => (clock += ms) };
}

const results = (...statuses: string[]) => ({
  status: 202,
  body: { results: statuses.map((status, index) => ({ index, status, ...(status === "rejected" ? { errors: [{ field: `reports[${index}].turnout.ballots_issued`, code: "negative", message: "must not be negative" }] } : {}) })) },
});

describe("outbox", () => {
  it("backs off doubling from 2 s to at most 5 min, with jitter", () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, () => 0.5))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoff(30, () => 0.5)).toBe(300_000);
    expect(backoff(1, () => 0)).toBe(1600);
    expect(backoff(1, () => 1)).toBe(2400);
  });

  it("reads each report's fate from the results, and whole-request answers for all", () => {
    expect(outcomes(202, results("accepted", "duplicate", "rejected", "unavailable").body, 4)).toEqual([
      { kind: "sent" }, { kind: "sent" },
      { kind: "refused", errors: [{ field: "turnout.ballots_issued", code: "negative", message: "must not be negative" }] },
      { kind: "retry" },
    ]);
    expect(outcomes(503, { error: { code: "unavailable", field: "body", message: "retry" } }, 2)).toEqual([{ kind: "retry" }, { kind: "retry" }]);
    expect(outcomes(413, { error: { code: "too_large", field: "body", message: "big" } }, 1)).toEqual([
      { kind: "refused", errors: [{ code: "too_large", field: "body", message: "big" }] },
    ]);
    expect(outcomes(401, null, 1)).toEqual([{ kind: "signed_out" }]);
    expect(outcomes(0, null, 1)).toEqual([{ kind: "retry" }]); // no network
    expect(outcomes(502, "<html>", 1)).toEqual([{ kind: "retry" }]);
  });

  it("keeps a report waiting with a later try until the server has it, then marks it sent", async () => {
    const w = world([]); // offline: every post throws
    await w.ports.put(newEntry(report("r1"), [], w.ports.now()));
    await flush(w.ports);
    const waiting = w.store.get("r1")!;
    expect([waiting.state, waiting.attempts]).toEqual(["waiting", 1]);
    expect(waiting.nextAt).toBeGreaterThan(1_000);
    await flush(w.ports); // not due yet: nothing is sent
    expect(w.sent).toHaveLength(1);
    w.advance(10_000);
    const online = world([() => results("duplicate")], [...w.store.values()]);
    online.advance(10_000);
    await flush(online.ports);
    expect(online.store.get("r1")).toMatchObject({ state: "sent", sentAt: 11_000 });
    expect(JSON.parse(online.sent[0].body as string)).toEqual({ reports: [report("r1")] });
  });

  it("keeps a refused report with the server's reasons, and resends the rest alone", async () => {
    const w = world([() => results("accepted", "rejected")]);
    await w.ports.put(newEntry(report("a"), [], 1_000));
    await w.ports.put(newEntry(report("b"), [], 1_000));
    await flush(w.ports);
    expect(w.store.get("a")!.state).toBe("sent");
    expect(w.store.get("b")).toMatchObject({ state: "refused", errors: [{ code: "negative", field: "turnout.ballots_issued" }] });
    await flush(w.ports);
    expect(w.sent).toHaveLength(1); // neither a sent nor a refused report goes again by itself
  });

  it("uploads a report's photos first, once, and holds the report while a photo cannot go", async () => {
    const photo: StoredPhoto = { id: "f".repeat(64), blob: new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: "image/jpeg" }), station_id: "ALA-0001", uploaded: false };
    const w = world([() => ({ status: 503, body: null }), () => ({ status: 201, body: { id: photo.id } }), () => results("accepted")]);
    await w.ports.putPhoto(photo);
    await w.ports.put(newEntry(report("p", { incident: { violation: "other", description: "x", evidence_ids: [photo.id] } } as Partial<Report>), [photo.id], 1_000));
    await flush(w.ports);
    expect(w.sent.map((s) => s.path)).toEqual(["/v1/evidence?station_id=ALA-0001"]);
    expect(w.store.get("p")!.state).toBe("waiting");
    w.advance(60_000);
    await flush(w.ports);
    expect(w.sent.map((s) => s.path)).toEqual(["/v1/evidence?station_id=ALA-0001", "/v1/evidence?station_id=ALA-0001", "/v1/reports"]);
    expect(w.photos.get(photo.id)!.uploaded).toBe(true);
    expect(w.store.get("p")!.state).toBe("sent");
  });

  it("sends the due reports oldest first, and settles a refusal without a retry", () => {
    const a = newEntry(report("a"), [], 5), b = newEntry(report("b"), [], 1), c = { ...newEntry(report("c"), [], 0), nextAt: 99 };
    expect(due([a, b, c], 10).map((e) => e.id)).toEqual(["b", "a"]);
    expect(settle(a, { kind: "refused", errors: [] }, 20)).toMatchObject({ state: "refused", attempts: 0 });
  });
});
