/** ingest's monitor routes, same origin as the app, with the monitor's bearer token. */
import type { Forms, Me, Message } from "./types";

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export async function request(token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  const answer = await fetch(path, { ...init, headers, cache: "no-store" });
  const text = await answer.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null; // a proxy's HTML error page: the status says enough
  }
  return { status: answer.status, body };
}

async function read<T>(token: string, path: string): Promise<T> {
  const answer = await request(token, path);
  if (answer.status !== 200) throw new HttpError(answer.status);
  return answer.body as T;
}

export const fetchMe = (token: string): Promise<Me> => read<Me>(token, "/v1/me");
export const fetchForms = (token: string): Promise<Forms> => read<Forms>(token, "/v1/forms");
export const fetchMessages = async (token: string): Promise<Message[]> =>
  (await read<{ messages: Message[] }>(token, "/v1/me/messages")).messages;

export interface StationView {
  station_id: string;
  figures: Record<string, unknown> | null;
  reports: { id: string; kind: string; observed_at: string; received_at: string }[];
}

export const fetchStation = (token: string, id: string): Promise<StationView> =>
  read<StationView>(token, `/v1/me/stations/${encodeURIComponent(id)}`);
