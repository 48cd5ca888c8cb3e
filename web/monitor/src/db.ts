/**
 * The phone's copy of everything the app must not lose: the sign-in (token and the last /v1/me),
 * the forms, the coordinators' messages, the outbox of reports and the photos they name. IndexedDB survives closing the app
 * and rebooting the phone; sign-out deletes it all.
 */
import { openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Forms, Me, Message, OutboxEntry, StoredPhoto } from "./types";

interface MonitorDb extends DBSchema {
  session: { key: string; value: string | Me | Forms | Message[] };
  outbox: { key: string; value: OutboxEntry; indexes: { created: number } };
  photos: { key: string; value: StoredPhoto };
}

export const DB_NAME = "pollwatch-monitor";
let opened: Promise<IDBPDatabase<MonitorDb>> | null = null;

export function db(): Promise<IDBPDatabase<MonitorDb>> {
  opened ??= openDB<MonitorDb>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore("session");
      d.createObjectStore("outbox", { keyPath: "id" }).createIndex("created", "createdAt");
      d.createObjectStore("photos", { keyPath: "id" });
    },
  });
  return opened;
}

export async function getToken(): Promise<string | undefined> {
  return (await (await db()).get("session", "token")) as string | undefined;
}

export async function setToken(token: string): Promise<void> {
  await (await db()).put("session", token, "token");
}

type CachedKey = "me" | "forms" | "messages";

export async function getCached<T extends Me | Forms | Message[]>(key: CachedKey): Promise<T | undefined> {
  return (await (await db()).get("session", key)) as T | undefined;
}

export async function setCached(key: CachedKey, value: Me | Forms | Message[]): Promise<void> {
  await (await db()).put("session", value, key);
}

export async function forgetCached(key: CachedKey): Promise<void> {
  await (await db()).delete("session", key);
}

export async function entries(): Promise<OutboxEntry[]> {
  return (await (await db()).getAllFromIndex("outbox", "created")).reverse();
}

export async function putEntry(entry: OutboxEntry): Promise<void> {
  await (await db()).put("outbox", entry);
}

export async function deleteEntry(id: string): Promise<void> {
  await (await db()).delete("outbox", id);
}

export async function getPhoto(id: string): Promise<StoredPhoto | undefined> {
  return (await db()).get("photos", id);
}

export async function putPhoto(photo: StoredPhoto): Promise<void> {
  await (await db()).put("photos", photo);
}

/** Sign-out: the token, the cached answers, every report and photo. */
export async function wipe(): Promise<void> {
  const d = await db();
  const tx = d.transaction(["session", "outbox", "photos"], "readwrite");
  await Promise.all([tx.objectStore("session").clear(), tx.objectStore("outbox").clear(), tx.objectStore("photos").clear(), tx.done]);
}
