import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPool, type Sql, withScope } from "@zongzhi/db/client";
import { freePort } from "@zongzhi/db/embedded";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import postgres from "postgres";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, loadDemo } from "./demo.ts";
import { type ServerProcess, serverEnv, startServerProcess } from "./server-process.ts";
import { villageDispute } from "./test-harness.ts";

// The compose topology without Docker: Debian's PgBouncer in transaction mode on loopback, two
// compiled API processes (dist/main.js, as in the image) whose runtime pool goes through it,
// and requests of different tenants alternating between them. PgBouncer hands one server
// connection to whichever transaction comes next, so a tenant context that outlived its
// transaction would show up in the next tenant's. With a pool of ONE server connection, every
// transaction of both instances runs on the same backend.

const PGBOUNCER = "/usr/sbin/pgbouncer";
let db: TestDatabase;
let dir: string;
let bouncer: ChildProcess;
let bouncerPort: number;
let bouncerUrl: string;
const servers: ServerProcess[] = [];

/** The zz_app URL through PgBouncer. */
function throughBouncer(url: string): string {
  const u = new URL(url);
  u.host = `127.0.0.1:${bouncerPort}`;
  return u.toString();
}

async function startBouncer(): Promise<void> {
  const target = new URL(db.adminUrl);
  const app = new URL(db.appUrl);
  bouncerPort = await freePort();
  dir = await mkdtemp(join(tmpdir(), "zz-pgbouncer-"));
  await chmod(dir, 0o755);
  const user = decodeURIComponent(app.username);
  await writeFile(join(dir, "userlist.txt"), `"${user}" "${decodeURIComponent(app.password)}"\n`, { mode: 0o644 });
  await writeFile(
    join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `${db.name} = host=${target.hostname} port=${target.port} dbname=${db.name}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${bouncerPort}`,
      "unix_socket_dir =",
      "auth_type = scram-sha-256",
      `auth_file = ${join(dir, "userlist.txt")}`,
      "pool_mode = transaction",
      "default_pool_size = 1",
      "max_client_conn = 200",
      // postgres.js sends these at connect; PgBouncer must let them through.
      "ignore_startup_parameters = extra_float_digits,options",
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  // PgBouncer refuses to run as root; -u drops to the postgres user.
  const asRoot = process.getuid?.() === 0;
  bouncer = spawn(PGBOUNCER, [...(asRoot ? ["-u", "postgres"] : []), join(dir, "pgbouncer.ini")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  bouncer.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  bouncer.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  bouncerUrl = throughBouncer(db.appUrl);
  const until = Date.now() + 20_000;
  for (;;) {
    const probe = postgres(bouncerUrl, { max: 1, prepare: false, onnotice: () => {}, connect_timeout: 2 });
    try {
      await probe`select 1`;
      return;
    } catch (error) {
      if (bouncer.exitCode !== null || Date.now() > until) throw new Error(`pgbouncer did not start: ${out} ${error}`);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await probe.end();
    }
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemo(db.adminUrl, {});
  await startBouncer();
  for (let i = 0; i < 2; i++) {
    const { DATABASE_URL, ...runtimeOnly } = serverEnv(db, dir);
    const env = {
      // As the API replicas of infra/compose.yaml: the second instance, which does not
      // migrate, gets the runtime roles' URLs only (no owner URL).
      ...(i === 0 ? { DATABASE_URL } : {}),
      ...runtimeOnly,
      APP_DATABASE_URL: bouncerUrl,
      // As in infra/compose.yaml: this PgBouncer (1.18) cannot keep prepared statements.
      DATABASE_PREPARE: "off",
      // LISTEN cannot go through a transaction-mode pooler: straight to PostgreSQL.
      LISTEN_DATABASE_URL: db.appUrl,
      MIGRATE: i === 0 ? "on" : "off",
      JOBS: i === 0 ? "on" : "off",
    };
    servers.push(await startServerProcess(env, { compiled: true }));
  }
}, 240_000);

afterAll(async () => {
  for (const s of servers) s.child.kill("SIGTERM");
  await Promise.all(servers.map((s) => s.exited));
  bouncer?.kill("SIGTERM");
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

/** A signed-in tRPC caller on one instance. */
async function caller(server: ServerProcess, username: string) {
  const res = await fetch(`${server.origin}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.origin },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = /(zz_session=[^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
  const headers = { cookie, origin: server.origin, "content-type": "application/json" };
  return {
    async query<T>(path: string, input: unknown = {}): Promise<T> {
      const q = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
      const r = await fetch(`${server.origin}/trpc/${path}?input=${q}`, { headers });
      const body = (await r.json()) as { result?: { data: unknown }; error?: unknown };
      if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error)}`);
      return superjson.deserialize(body.result.data as never) as T;
    },
    async mutate<T>(path: string, input: unknown): Promise<T> {
      const r = await fetch(`${server.origin}/trpc/${path}`, {
        method: "POST",
        headers,
        body: JSON.stringify(superjson.serialize(input)),
      });
      const body = (await r.json()) as { result?: { data: unknown }; error?: unknown };
      if (!body.result) throw new Error(`${path}: ${JSON.stringify(body.error)}`);
      return superjson.deserialize(body.result.data as never) as T;
    },
  };
}

type Page = { items: { id: string; code: string }[] };

describe("two API instances behind PgBouncer in transaction mode", () => {
  it("both are ready, their runtime pool going through PgBouncer", async () => {
    for (const s of servers) {
      const res = await fetch(`${s.origin}/readyz`);
      expect(await res.json()).toMatchObject({ status: "ok", database: "ok", queue: "ok", migrations: "ok" });
    }
    const [row] = await db.admin<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where usename = 'zz_app' and datname = ${db.name}`;
    expect(row!.n).toBeGreaterThan(0);
  });

  it("alternating tenants over both instances, each sees only its own subtree", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const yumenOnA = await caller(a, "yumen.clerk");
    const yumenOnB = await caller(b, "yumen.clerk");
    const yongjiOnA = await caller(a, "yongji.admin");
    const yongjiOnB = await caller(b, "yongji.admin");
    const gansuOnB = await caller(b, "gansu.admin");
    const registered: string[] = [];
    for (let round = 0; round < 6; round++) {
      const writer = round % 2 ? yumenOnB : yumenOnA;
      const { id } = await writer.mutate<{ id: string }>("cases.register", villageDispute(`连接池轮换 ${round}`));
      registered.push(id);
      // Every reader, on both instances, at once: their transactions interleave on one backend.
      const [yumenA, yumenB, yongjiA, yongjiB, gansu] = await Promise.all([
        yumenOnA.query<Page>("cases.list", {}),
        yumenOnB.query<Page>("cases.list", {}),
        yongjiOnA.query<Page>("cases.list", {}),
        yongjiOnB.query<Page>("cases.list", {}),
        gansuOnB.query<Page>("cases.list", {}),
      ]);
      for (const page of [yumenA, yumenB, gansu]) {
        expect(page.items.map((c) => c.id)).toEqual(expect.arrayContaining(registered));
      }
      for (const page of [yongjiA, yongjiB]) {
        expect(page.items.filter((c) => registered.includes(c.id))).toEqual([]);
        expect(page.items.filter((c) => c.code.startsWith("620981"))).toEqual([]);
      }
    }
  });

  it("leaves no tenant context on the pooled server connection after a transaction", async () => {
    const pool: Sql = createPool(bouncerUrl, { max: 4, prepare: false });
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          withScope(
            pool,
            { userId: null, tenantId: null, scope: i % 2 ? "620981" : "140881", roles: ["intake_clerk"] },
            (tx) => tx.sql`select current_setting('app.scope') as s`,
          ),
        ),
      );
      // Outside any transaction, on the one server connection every transaction above used.
      for (let i = 0; i < 5; i++) {
        const [row] = await pool<{ scope: string | null }[]>`select current_setting('app.scope', true) as scope`;
        expect(row!.scope ?? "").toBe("");
      }
    } finally {
      await pool.end();
    }
  });

  it("control: a session-level setting does leak through the pooler (what transaction-local settings prevent)", async () => {
    const one = postgres(bouncerUrl, { max: 1, prepare: false, onnotice: () => {} });
    const other = postgres(bouncerUrl, { max: 1, prepare: false, onnotice: () => {} });
    try {
      await one`select set_config('app.scope', '620981', false)`;
      const [seen] = await other<{ scope: string }[]>`select current_setting('app.scope', true) as scope`;
      expect(seen!.scope).toBe("620981");
    } finally {
      await one`select set_config('app.scope', '', false)`;
      await one.end();
      await other.end();
    }
  });
});
