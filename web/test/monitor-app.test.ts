import { afterEach, describe, expect, it, vi } from "vitest";
import { fetchMessages, HttpError } from "../monitor/src/api";
import { fitted } from "../monitor/src/photo";
import { protocolProblems } from "../monitor/src/protocol";
import { tokenFrom } from "../monitor/src/session";
import { LANGS, pickLang, REFUSALS, say, STRINGS } from "../monitor/src/strings";
import kk from "../../services/common/catalog/kk.json";

const TOKEN = "pw_" + "A1b2_C3d-".repeat(4) + "xyz";

describe("sign-in links", () => {
  it("takes the token from the link credential sheets print, a pasted link or the bare token", () => {
    expect(tokenFrom(`#t=${TOKEN}`)).toBe(TOKEN);
    expect(tokenFrom(`https://ingest.example.kz/m/#t=${TOKEN}`)).toBe(TOKEN);
    expect(tokenFrom(`  ${TOKEN}\n`)).toBe(TOKEN);
    expect(tokenFrom("")).toBeNull();
    expect(tokenFrom("#t=not-a-token")).toBeNull();
    expect(tokenFrom("https://ingest.example.kz/m/")).toBeNull();
  });
});

describe("texts", () => {
  it("exist in English, Russian and Kazakh, each its own", () => {
    for (const lang of LANGS) {
      expect(Object.keys(STRINGS[lang]).sort()).toEqual(Object.keys(STRINGS.en).sort());
      expect(Object.keys(REFUSALS[lang]).sort()).toEqual(Object.keys(REFUSALS.en).sort());
      for (const text of Object.values(STRINGS[lang])) expect(text.trim()).not.toBe("");
    }
    const same = Object.keys(STRINGS.en).filter((k) => k !== "title" && STRINGS.ru[k as keyof typeof STRINGS.en] === STRINGS.en[k as keyof typeof STRINGS.en]);
    expect(same).toEqual([]);
    expect(say("kk", "signOutWarning", { count: 3 })).toContain("3");
  });

  it("start in the monitor's language, else the phone's, else Russian", () => {
    expect(pickLang("kk", ["en-US"])).toBe("kk");
    expect(pickLang(null, ["de-DE", "kk-KZ"])).toBe("kk");
    expect(pickLang(null, ["de-DE"])).toBe("ru");
  });
});

describe("the protocol form", () => {
  const fine = { registered_voters: 1000, ballots_received: 900, ballots_issued: 600, ballots_cast: 590, valid_ballots: 580, invalid_ballots: 10, votes: { P01: 300, P02: 280 }, copy_received: true };
  it("warns with the aggregator's checks and their figures", () => {
    expect(protocolProblems(fine)).toEqual([]);
    const problems = protocolProblems({ ...fine, votes: { P01: 300, P02: 300 }, ballots_cast: 700 });
    expect(problems.map((p) => p.name)).toEqual(["cast_exceeds_issued", "valid_invalid_mismatch", "votes_mismatch"]);
    expect(problems[2].params).toEqual({ votes: 600, valid: 580 });
    for (const p of problems) expect(kk.alert[`protocol_inconsistent.${p.name}` as keyof typeof kk.alert]).toBeTruthy();
  });
});

describe("photos", () => {
  it("are drawn with the longest side at most 1,600 px, never enlarged", () => {
    expect(fitted(4000, 3000)).toEqual({ width: 1600, height: 1200 });
    expect(fitted(3000, 4000)).toEqual({ width: 1200, height: 1600 });
    expect(fitted(800, 600)).toEqual({ width: 800, height: 600 });
  });
});

describe("coordinators' messages", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("are read with the monitor's token, newest first as the server lists them", async () => {
    const messages = [
      { id: "bc-2", sent_at: "2026-03-15T07:00:00+00:00", language: "kk", text: "Учаскелер 20:00-де жабылады" },
      { id: "bc-1", sent_at: "2026-03-15T06:00:00+00:00", language: "kk", text: "Report turnout at 11:00" },
    ];
    const fetch = vi.fn(async (_path: string, _init: RequestInit) => new Response(JSON.stringify({ messages })));
    vi.stubGlobal("fetch", fetch);
    expect(await fetchMessages(TOKEN)).toEqual(messages);
    const [path, init] = fetch.mock.calls[0];
    expect(path).toBe("/v1/me/messages");
    expect(new Headers(init.headers).get("Authorization")).toBe(`Bearer ${TOKEN}`);
  });

  it("fail on a refused token, so the phone's copy stays", async () => {
    vi.stubGlobal("fetch", async () => new Response('{"error": {"code": "invalid_token"}}', { status: 401 }));
    await expect(fetchMessages(TOKEN)).rejects.toEqual(new HttpError(401));
  });

  it("have their heading in every language", () => {
    expect(LANGS.map((l) => say(l, "messages"))).toEqual(["Үйлестірушілердің хабарламалары", "Сообщения координаторов", "Messages from coordinators"]);
  });
});
