import { describe, expect, it } from "vitest";
import { initialConn, reduceConn, retryDelayMs, type ConnEvent, type ConnState } from "../src/api/connection";

const run = (events: ConnEvent[], from: ConnState = initialConn) => events.reduce(reduceConn, from);

describe("connection state machine", () => {
  it("connecting → live with the role from the acknowledgement", () => {
    const s = run([{ type: "connecting" }, { type: "connected", role: "partner" }]);
    expect(s.status).toBe("live");
    expect(s.role).toBe("partner");
    expect(s.connects).toBe(1);
  });

  it("a dropped socket goes to reconnecting, counts attempts, and comes back live", () => {
    let s = run([{ type: "connecting" }, { type: "connected", role: "admin" }, { type: "closed", code: 1006 }]);
    expect(s.status).toBe("reconnecting");
    s = run([{ type: "connecting" }, { type: "closed", code: 1006 }, { type: "connecting" }], s);
    expect(s.status).toBe("reconnecting");
    expect(s.attempt).toBe(2);
    s = reduceConn(s, { type: "connected", role: "admin" });
    expect(s).toMatchObject({ status: "live", attempt: 0, connects: 2 });
  });

  it("a refused key is final: later events do not revive it", () => {
    let s = run([{ type: "connecting" }, { type: "closed", code: 4403 }]);
    expect(s.status).toBe("rejected");
    s = run([{ type: "connecting" }, { type: "closed", code: 1006 }, { type: "gave-up" }], s);
    expect(s.status).toBe("rejected");
  });

  it("counts recovered gaps and remembers the last message time", () => {
    const s = run([{ type: "gap" }, { type: "gap" }, { type: "message", at: 42 }]);
    expect(s.gapsRecovered).toBe(2);
    expect(s.lastMessageAt).toBe(42);
  });

  it("backs off exponentially up to 10 s, with bounded jitter", () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(500);
    expect(retryDelayMs(2, () => 0.5)).toBe(1000);
    expect(retryDelayMs(30, () => 0.5)).toBe(10_000);
    expect(retryDelayMs(1, () => 0)).toBe(375);
    expect(retryDelayMs(1, () => 1)).toBe(625);
  });
});
