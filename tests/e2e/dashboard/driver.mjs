// A remote-controlled headless Chromium for the dashboard's pytest e2e tests (tests/e2e/dashboard).
// Reads one JSON command per line on stdin, answers one JSON line on stdout: {"ok": true, "value": ...}
// or {"ok": false, "error": "..."}. Uses playwright-core from web/node_modules with Debian's Chromium:
// it never downloads a browser of its own.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(join(process.env.PW_WEB_DIR, "package.json"));
const { chromium } = require("playwright-core");

const profile = mkdtempSync(join(tmpdir(), "pw-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.PW_CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: Number(process.env.PW_WIDTH ?? 1366), height: Number(process.env.PW_HEIGHT ?? 900) },
  // The browser's language (navigator.languages), which the dashboard starts in.
  locale: process.env.PW_LOCALE || "en-US",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const page = context.pages()[0] ?? (await context.newPage());
const consoleErrors = [];
page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
page.on("pageerror", (e) => consoleErrors.push(String(e)));
// confirm() and alert() (the monitor app's sign-out and delete) are answered yes.
page.on("dialog", (d) => void d.accept());

const commands = {
  goto: async ({ url }) => { await page.goto(url); return page.url(); },
  hash: async ({ hash }) => { await page.evaluate((h) => { location.hash = h; }, hash); return hash; },
  fill: async ({ selector, value }) => { await page.fill(selector, value); return true; },
  press: async ({ selector, key }) => { await page.press(selector, key); return true; },
  click: async ({ selector }) => { await page.click(selector); return true; },
  select: async ({ selector, value }) => await page.selectOption(selector, value),
  focus: async ({ selector }) => { await page.focus(selector); return true; },
  text: async ({ selector }) => (await page.textContent(selector)) ?? "",
  count: async ({ selector }) => await page.locator(selector).count(),
  html: async () => await page.content(),
  bodyText: async () => await page.innerText("body"),
  attr: async ({ selector, name }) => await page.getAttribute(selector, name),
  // Waits until `selector`'s text contains `contains`; answers the elapsed milliseconds.
  waitText: async ({ selector, contains, timeout }) => {
    const started = Date.now();
    await page.waitForFunction(
      ([s, c]) => (document.querySelector(s)?.textContent ?? "").includes(c),
      [selector, contains],
      { timeout: timeout ?? 10000, polling: 50 },
    );
    return Date.now() - started;
  },
  waitSelector: async ({ selector, timeout, state }) => {
    const started = Date.now();
    await page.waitForSelector(selector, { timeout: timeout ?? 10000, state: state ?? "visible" });
    return Date.now() - started;
  },
  evaluate: async ({ script }) => await page.evaluate(script),
  reload: async () => { await page.reload(); return page.url(); },
  // Network emulation for the whole context (the page and its service worker).
  offline: async ({ offline }) => { await context.setOffline(offline); return offline; },
  // Chromium's network throttling for the page (latency in ms, throughputs in bytes/s).
  throttle: async ({ latency, down, up }) => {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency, downloadThroughput: down, uploadThroughput: up });
    return true;
  },
  setFiles: async ({ selector, files }) => { await page.setInputFiles(selector, files); return true; },
  check: async ({ selector }) => { await page.check(selector); return true; },
  screenshot: async ({ path, fullPage }) => { await page.screenshot({ path, fullPage: fullPage ?? false }); return path; },
  viewport: async ({ width, height }) => { await page.setViewportSize({ width, height }); return true; },
  sessionKey: async () => await page.evaluate(() => sessionStorage.getItem("pollwatch.apiKey")),
  consoleErrors: async () => consoleErrors.splice(0),
  close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); return true; },
};

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const { cmd, ...args } = JSON.parse(line);
  try {
    const value = await commands[cmd](args);
    process.stdout.write(JSON.stringify({ ok: true, value }) + "\n");
    if (cmd === "close") break;
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(e?.message ?? e) }) + "\n");
  }
}
process.exit(0);
