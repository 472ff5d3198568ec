import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServerType, serve } from "@hono/node-server";
import type { FieldCipher, WebhookNetwork } from "@zongzhi/api";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { freePort } from "@zongzhi/db/embedded";
import { createApp } from "@zongzhi/server/app";
import { DEMO_PASSWORD, loadDemo } from "@zongzhi/server/demo";
import { createLogger } from "@zongzhi/server/logger";
import { localDiskStore } from "@zongzhi/server/storage";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing/database";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from "playwright-core";

export { DEMO_PASSWORD };

/** Everything one browser test file needs: its own database with the demo, the server, a browser. */
export interface Harness {
  db: TestDatabase;
  /** http://127.0.0.1:<port>, also the origin of setup links. */
  origin: string;
  /** The server's personal-data cipher (to run the webhook dispatcher from a test). */
  cipher: FieldCipher;
  browser: Browser;
  /** A page in a fresh browser context (no cookies, no local storage), Chinese locale, China time. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Signs in through the real login form and waits until the app has left /login. */
  login(page: Page, username: string, password?: string): Promise<void>;
  close(): Promise<void>;
}

const staticDir = fileURLToPath(new URL("../dist/", import.meta.url));

/** Chromium as Debian ships it, headless, without the background traffic a test does not need. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Starts a fresh database (cloned from the migrated template) with the demo, the API serving the built UI, and Chromium. */
export async function startHarness(
  options: { cases?: boolean; centres?: boolean; webhookNetwork?: WebhookNetwork } = {},
): Promise<Harness> {
  const db = await createTestDatabase();
  const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
  // By default the tenants and accounts of the demo suffice; `cases` adds the centres and demo cases,
  // `centres` the centres' configuration only.
  await loadDemo(db.adminUrl, options.cases ? { centres: true, cipher } : { centres: options.centres ?? false });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const attachments = await mkdtemp(join(tmpdir(), "zz-e2e-attachments-"));
  const app = createApp({
    sql: db.app,
    logger: createLogger("silent"),
    origin,
    staticDir,
    insecureCookie: true,
    cipher,
    store: localDiskStore(attachments),
    ...(options.webhookNetwork ? { webhookNetwork: options.webhookNetwork } : {}),
  });
  const server = await new Promise<ServerType>((ready) => {
    const s = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => ready(s));
  });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    db,
    origin,
    cipher,
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({
        baseURL: origin,
        locale: "zh-CN",
        timezoneId: "Asia/Shanghai",
        ...options,
      });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      return context.newPage();
    },
    async login(page, username, password = DEMO_PASSWORD) {
      await page.goto("/login");
      await page.getByLabel("登录名", { exact: true }).fill(username);
      await page.getByLabel("密码", { exact: true }).fill(password);
      await page.getByRole("button", { name: "登录", exact: true }).click();
      await page.waitForURL((url) => url.pathname !== "/login");
    },
    async close() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
      await new Promise<void>((done) => server.close(() => done()));
      await db.close();
      await rm(attachments, { recursive: true, force: true });
    },
  };
}

/**
 * Ticks a labelled checkbox the way a person does, by clicking its label (Kobalte keeps the
 * real input visually hidden), then checks that the checkbox role reports it as checked.
 */
export async function tick(scope: Page | Locator, label: string): Promise<void> {
  const box = scope.getByRole("checkbox", { name: label, exact: true });
  if (!(await box.isChecked())) await scope.getByText(label, { exact: true }).click();
  if (!(await box.isChecked())) throw new Error(`checkbox “${label}” did not turn on`);
}
