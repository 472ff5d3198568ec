import { createPool, type Sql } from "@zongzhi/db/client";
import { shippedMigrations } from "@zongzhi/db/migrate";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppOptions, createApp } from "./app.ts";
import { queueDepthOf } from "./metrics.ts";
import { localDiskStore } from "./storage.ts";
import { startTestApi, type TestApi } from "./test-harness.ts";
import { prepareWorkerSchema } from "./worker.ts";

// /healthz, /readyz and /metrics as a load balancer and a Prometheus server meet them.

const TOKEN = "scrape-token-0123456789abcdef";
let api: TestApi;
let queue: postgres.Sql;

beforeAll(async () => {
  api = await startTestApi({ app: { metricsToken: TOKEN } });
  await prepareWorkerSchema(api.db.workerUrl);
  queue = postgres(api.db.workerUrl, { max: 1, onnotice: () => {} });
}, 120_000);

afterAll(async () => {
  await queue?.end();
  await api?.close();
});

/** A second app on the test database (or on `sql`) with other options. */
async function appWith(options: Partial<AppOptions>, sql: Sql = api.db.app) {
  return createApp({
    sql,
    logger: pino({ level: "silent" }),
    origin: api.origin,
    cipher: api.cipher,
    store: localDiskStore(api.attachmentsDir),
    insecureCookie: true,
    ...options,
  });
}

const scrape = (authorization?: string) => api.request("/metrics", authorization ? { headers: { authorization } } : {});

describe("liveness and readiness", () => {
  it("/healthz answers without a session and without asking the database", async () => {
    const res = await api.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
  });

  it("/readyz is 200 when the database, the queue and this build's migrations are in place", async () => {
    const migrations = await shippedMigrations();
    const app = await appWith({
      readiness: { queue: () => queue`select 1 from graphile_worker.jobs limit 1`, migrations },
    });
    const res = await app.request("/readyz");
    expect(await res.json()).toEqual({ status: "ok", database: "ok", queue: "ok", migrations: "ok" });
    expect(res.status).toBe(200);
  });

  it("/readyz is 503 while a migration of this build is not applied, or was applied with another text", async () => {
    const shipped = await shippedMigrations();
    const pending = await appWith({
      readiness: { migrations: [...shipped, { name: "9999_future.sql", checksum: "x" }] },
    });
    const res = await pending.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "unavailable", migrations: "pending: 9999_future.sql" });
    const edited = shipped.map((m, i) => (i === 3 ? { ...m, checksum: "edited" } : m));
    const changed = await (await appWith({ readiness: { migrations: edited } })).request("/readyz");
    expect(changed.status).toBe(503);
    expect(await changed.json()).toMatchObject({ migrations: `changed after applying: ${shipped[3]!.name}` });
  });

  it("/readyz is 503 when the queue's database role cannot connect", async () => {
    const wrong = new URL(api.db.workerUrl);
    wrong.password = "not-the-password";
    const broken = postgres(wrong.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
    try {
      const app = await appWith({ readiness: { queue: () => broken`select 1` } });
      const res = await app.request("/readyz");
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ database: "ok", queue: "unreachable" });
    } finally {
      await broken.end();
    }
  });

  it("/readyz is 503 when the database cannot be reached", async () => {
    const dead = createPool("postgres://zz_app:x@127.0.0.1:1/none", { max: 1 });
    const app = await appWith({}, dead);
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ database: "unreachable" });
    expect((await app.request("/healthz")).status).toBe(200);
    // A request that needs the database: 503 in both languages with Retry-After, never a 500.
    const login = await app.request("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json", origin: api.origin },
      body: JSON.stringify({ username: "yumen.clerk", password: "x" }),
    });
    expect(login.status).toBe(503);
    expect(login.headers.get("retry-after")).toBe("2");
    expect(await login.json()).toMatchObject({ code: "UNAVAILABLE", zh: "服务暂时不可用，请稍后重试" });
    await dead.end();
  });
});

describe("the metrics", () => {
  it("do not exist without a configured token, and refuse a scrape without the right one", async () => {
    const none = await (await appWith({})).request("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(none.status).toBe(404);
    for (const header of [undefined, "Bearer wrong", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await scrape(header);
      expect(res.status, String(header)).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      const body = (await res.json()) as { zh: string; en: string };
      expect(body.zh).toBeTruthy();
      expect(body.en).toBeTruthy();
    }
  });

  it("count requests by route pattern, time procedures, and report the pool, the queue and the SSE clients", async () => {
    const withQueue = await startTestApi({
      app: { metricsToken: TOKEN, queueDepth: queueDepthOf(queue) },
    });
    try {
      await prepareWorkerSchema(withQueue.db.workerUrl);
      const cookie = await withQueue.login("yumen.clerk");
      await withQueue.client(cookie).auth.me.query();
      await withQueue.request("/attachments/00000000-0000-4000-8000-000000000001", { cookie });
      await withQueue.request("/no/such/page/at/all");
      // One open notification stream.
      const events = await withQueue.request("/events", { cookie });
      const reader = events.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain("event: ready");

      const res = await withQueue.request("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/plain");
      const text = await res.text();
      expect(text).toMatch(/zz_http_requests_total\{method="POST",route="\/auth\/login",status="200"\} 1/);
      expect(text).toMatch(/zz_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/trpc"\}/);
      expect(text).toMatch(
        /zz_trpc_procedure_duration_seconds_count\{procedure="auth\.me",type="query",outcome="ok"\} 1/,
      );
      expect(text).toContain('route="/attachments/:id"');
      expect(text).toContain('route="other"');
      expect(text).not.toContain("00000000-0000-4000");
      expect(text).not.toContain("/no/such");
      expect(text).toMatch(/zz_db_pool_connections\{state="max"\} \d+/);
      expect(text).toMatch(/zz_db_pool_connections\{state="reserved"\} 0/);
      expect(text).toMatch(/zz_queue_jobs\{state="ready"\} \d+/);
      expect(text).toMatch(/zz_sse_clients 1/);
      expect(text).toMatch(/zz_http_requests_in_flight 1/); // the scrape itself
      expect(text).toContain("zz_process_cpu_user_seconds_total");

      await reader.cancel();
      await new Promise((r) => setTimeout(r, 50));
      const after = await (
        await withQueue.request("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } })
      ).text();
      expect(after).toMatch(/zz_sse_clients 0/);
    } finally {
      await withQueue.close();
    }
  });

  it("label a refused procedure with its refusal code", async () => {
    await api
      .client()
      .auth.me.query()
      .catch(() => {});
    const text = await (await scrape(`Bearer ${TOKEN}`)).text();
    expect(text).toMatch(
      /zz_trpc_procedure_duration_seconds_count\{procedure="auth\.me",type="query",outcome="UNAUTHENTICATED"\} 1/,
    );
  });
});
