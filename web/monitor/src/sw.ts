/**
 * The monitor app's service worker (scope /m/): keeps the app shell so the app opens with no
 * network. The page is network-first (a new build reaches the phone at its next visit online);
 * hashed assets are cache-first (their names change with their content). API calls are never
 * cached here: reports wait in IndexedDB, not in this cache.
 */
interface WaitableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEventLike extends WaitableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface WorkerScope {
  registration: { scope: string };
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: "install" | "activate", listener: (e: WaitableEvent) => void): void;
  addEventListener(type: "fetch", listener: (e: FetchEventLike) => void): void;
}
// The worker's global scope, typed by hand: the DOM and WebWorker libs cannot share one tsconfig.
const worker = globalThis as unknown as WorkerScope;

const CACHE = "pollwatch-monitor-shell";
const ASSET = /(?:src|href)="([^"]*\/assets\/[^"]+)"/g;

const scoped = (path: string) => new URL(path, worker.registration.scope).href;

async function keepShell(): Promise<void> {
  const cache = await caches.open(CACHE);
  const page = await fetch(scoped("./"), { cache: "no-store" });
  if (!page.ok) throw new Error(`the app page answered ${page.status}`);
  const html = await page.clone().text();
  const assets = [...html.matchAll(ASSET)].map((m) => new URL(m[1], page.url).href);
  await cache.put(scoped("./"), page);
  await cache.addAll([scoped("./manifest.webmanifest"), scoped("./icon.svg"), ...assets]);
}

async function pageFirstFromNetwork(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const fresh = await fetch(request);
    if (fresh.ok) await cache.put(scoped("./"), fresh.clone());
    return fresh;
  } catch {
    return (await cache.match(scoped("./"))) ?? Response.error();
  }
}

async function cachedFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const fresh = await fetch(request);
  if (fresh.ok) await cache.put(request, fresh.clone());
  return fresh;
}

worker.addEventListener("install", (e) => e.waitUntil(keepShell().then(() => worker.skipWaiting())));
worker.addEventListener("activate", (e) => e.waitUntil(worker.clients.claim()));
worker.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || !url.href.startsWith(worker.registration.scope)) return;
  e.respondWith(e.request.mode === "navigate" ? pageFirstFromNetwork(e.request) : cachedFirst(e.request));
});

export {};
