import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import type { AppRouter, FieldCipher, WebhookNetwork } from "@zongzhi/api";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import pino from "pino";
import superjson from "superjson";
import { type AppOptions, createApp } from "./app.ts";
import { DEMO_PASSWORD, loadDemo } from "./demo.ts";
import { localDiskStore } from "./storage.ts";

/** An API instance on a fresh database with the demo deployments, driven without a server. */
export interface TestApi {
  db: TestDatabase;
  app: ReturnType<typeof createApp>;
  cipher: FieldCipher;
  origin: string;
  /** Every log line the server wrote (to prove that secrets never reach the logs). */
  logs: string[];
  /** Where the attachment store keeps its files. */
  attachmentsDir: string;
  /**
   * Raw request with the right Origin header unless `headers` overrides it, arriving from the
   * socket address `ip` (default {@link TEST_CLIENT_IP}); headers never choose the address.
   */
  request(path: string, init?: RequestInit & { cookie?: string; ip?: string }): Promise<Response>;
  /** Signs in and returns the session cookie (name=value). */
  login(username: string, password?: string, ip?: string): Promise<string>;
  /** A typed tRPC client acting with the given cookie. */
  client(cookie?: string): ReturnType<typeof createTRPCClient<AppRouter>>;
  close(): Promise<void>;
}

/** A public address that test host names resolve to (never connected to: no test delivers there). */
export const TEST_PUBLIC_ADDRESS = "47.93.0.10";

/**
 * Webhook targets in tests: receivers on loopback are allowed (they run beside the test), and
 * names resolve without DNS (this machine has none): `localhost` to 127.0.0.1, any other name to
 * {@link TEST_PUBLIC_ADDRESS}. Tests of the address rules pass their own.
 */
export const TEST_WEBHOOK_NETWORK: WebhookNetwork = {
  allowLoopback: true,
  resolve: async (host) =>
    host === "localhost" ? [{ address: "127.0.0.1", family: 4 }] : [{ address: TEST_PUBLIC_ADDRESS, family: 4 }],
};

/** The socket address test requests come from unless they say otherwise (TEST-NET-1, RFC 5737). */
export const TEST_CLIENT_IP = "192.0.2.1";

/**
 * Starts an API over a fresh cloned database; `https` selects the __Host- cookie mode,
 * `trustedProxies` the peers whose forwarded headers count.
 */
export async function startTestApi(
  options: {
    https?: boolean;
    demo?: boolean;
    centres?: boolean;
    cases?: boolean;
    requireOperatorTotp?: boolean;
    trustedProxies?: string[];
    /** Further options of the app (readiness, metrics token, lifecycle, a replica). */
    app?: Partial<AppOptions>;
    /** The database to run on (default: a fresh clone from the test provider). */
    db?: TestDatabase;
    /** Told every statement the API's pool sends (the Citus routing check, statementRecorder). */
    onStatement?: (statement: string) => void;
  } = {},
): Promise<TestApi> {
  const db = options.db ?? (await createTestDatabase(options.onStatement ? { onStatement: options.onStatement } : {}));
  const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
  if (options.demo !== false)
    await loadDemo(db.adminUrl, { centres: options.centres ?? false, ...(options.cases ? { cipher } : {}) });
  const origin = options.https ? "https://zz.test" : "http://127.0.0.1:3000";
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      if (process.env.TEST_LOG && String(chunk).includes('"level":50')) console.error(String(chunk).slice(0, 1500));
      done();
    },
  });
  const logger = pino({ level: "info" }, sink);
  const attachmentsDir = await mkdtemp(join(tmpdir(), "zz-attachments-"));
  const store = localDiskStore(attachmentsDir);
  const app = createApp({
    sql: db.app,
    logger,
    origin,
    cipher,
    store,
    insecureCookie: !options.https,
    requireOperatorTotp: options.requireOperatorTotp ?? false,
    trustedProxies: options.trustedProxies ?? [],
    webhookNetwork: TEST_WEBHOOK_NETWORK,
    ...options.app,
  });
  const request = (path: string, init: RequestInit & { cookie?: string; ip?: string } = {}) => {
    const { cookie, ip, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (!headers.has("origin") && !headers.has("x-no-origin")) headers.set("origin", origin);
    headers.delete("x-no-origin");
    if (cookie) headers.set("cookie", cookie);
    // What @hono/node-server hands the app: the socket, whose peer address getConnInfo reads.
    const socket = { remoteAddress: ip ?? TEST_CLIENT_IP, remotePort: 40000, remoteFamily: "IPv4" };
    const env = { incoming: { socket }, outgoing: {} };
    const streaming = (rest.body instanceof ReadableStream ? { duplex: "half" } : {}) as RequestInit;
    return Promise.resolve(app.request(new URL(path, origin).toString(), { ...rest, ...streaming, headers }, env));
  };
  const login = async (username: string, password = DEMO_PASSWORD, ip?: string) => {
    const res = await request("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
      ...(ip ? { ip } : {}),
    });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
    return cookieOf(res)!;
  };
  const client = (cookie?: string) =>
    createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${origin}/trpc`,
          transformer: superjson,
          fetch: (url, init) => request(String(url), { ...(init as RequestInit), ...(cookie ? { cookie } : {}) }),
        }),
      ],
    });
  return { db, app, cipher, origin, logs, attachmentsDir, request, login, client, close: () => db.close() };
}

/** The `name=value` of the session cookie a response sets, if any. */
export function cookieOf(res: Response): string | null {
  const header = res.headers.get("set-cookie");
  const match = header ? /((?:__Host-)?zz_session=[^;]*)/.exec(header) : null;
  return match?.[1] ?? null;
}

/** What a refused procedure call carries: the stable code and the messages users see. */
export interface Refusal {
  appCode: string;
  zh: string;
  en: string;
  fields?: { path: string; zh: string; en: string }[];
  details?: Record<string, unknown>;
}

/** Awaits a call that must be refused and returns the refusal (fails the test if it succeeds). */
export async function refusal(promise: Promise<unknown>): Promise<Refusal> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCClientError) return e.data as Refusal;
    throw e;
  }
  throw new Error("expected the call to be refused");
}

/** A simple neighbours' dispute registered at Yumen's demo village (620981101001), for workflow tests. */
export function villageDispute(title: string) {
  return {
    categoryCode: "neighbour",
    channel: "grid_patrol" as const,
    title,
    description: "邻里之间因排水沟堵塞发生争执",
    locationCode: "620981101001",
    peopleCount: 2,
    groupDispute: false,
    riskGrade: "blue" as const,
    difficulty: "simple" as const,
    parties: [{ role: "applicant" as const, kind: "person" as const, name: "刘大爷", phone: "13609371234" }],
  };
}

/**
 * Opens the SSE stream (/events) as `cookie` once it is ready; `next` resolves with the next
 * event of that name's arrival time and data (`notification` unless told, `figures` for the cockpit).
 */
export async function listenEvents(
  api: TestApi,
  cookie: string,
  event = "notification",
): Promise<{ next: () => Promise<{ at: number; data: string }>; close: () => void }> {
  const controller = new AbortController();
  const res = await api.request("/events", { cookie, signal: controller.signal });
  if (res.status !== 200 || !res.headers.get("content-type")?.includes("text/event-stream")) {
    throw new Error(`/events answered ${res.status} ${res.headers.get("content-type")}`);
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const read = async (event: string) => {
    for (;;) {
      const match = new RegExp(`event: ${event}\\ndata: (.*)\\n`).exec(buffer);
      if (match) {
        buffer = buffer.slice(match.index + match[0].length);
        return { at: performance.now(), data: match[1]! };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
  await read("ready");
  return { next: () => read(event), close: () => controller.abort() };
}
