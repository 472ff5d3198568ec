import { spawn } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listProcedures } from "@zongzhi/api/procedures";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { createPool, type ScopeContext, type Sql, withoutScope, withScope } from "@zongzhi/db/client";
import { type EmbeddedCluster, postgresAccount, startEmbeddedPostgres } from "@zongzhi/db/embedded";
import { assertReplicaRoleSafe } from "@zongzhi/db/safety";
import { TEST_APP_PASSWORD, TEST_WORKER_PASSWORD, type TestDatabase } from "@zongzhi/testing";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateAndLoad, withCredentials } from "./database.ts";
import { loadDemo, presentDemoLogins } from "./demo.ts";
import { startTestApi, type TestApi, villageDispute } from "./test-harness.ts";
import { prepareWorkerSchema } from "./worker.ts";

// REPLICA_DATABASE_URL on a real streaming replica: Debian's PostgreSQL 15 primary on loopback,
// a standby made from it with pg_basebackup (-R: streaming replication, hot standby), both as
// the runtime role zz_app. RLS holds on the standby exactly as on the primary; lag-tolerant
// queries read there (shown by pausing the standby's replay: a new case is on the primary, not
// yet in the lists) while writes and the case itself stay on the primary; a standby that goes
// away sends those reads back to the primary.

const DEBIAN_PG = "/usr/lib/postgresql/15";
const PASSWORD = "replica-test";
const silent = pino({ level: "silent" });
let dir: string;
let primary: EmbeddedCluster;
let standby: EmbeddedCluster;
let primaryUrl: string;
let standbyUrl: string;
/** Superuser connections (catch-up, replay pause, the control counts). */
let primaryAdmin: Sql;
let standbyAdmin: Sql;
/** The runtime role zz_app on each. */
let primaryApp: Sql;
let replicaApp: Sql;
let api: TestApi;
let yumen: { id: string; code: string };
let yongji: { id: string; code: string };

/** Runs a PostgreSQL client program as the account that owns the clusters (postgres, under root). */
async function runAsPostgres(program: string, args: string[]): Promise<void> {
  const account = await postgresAccount();
  const root = process.getuid?.() === 0;
  await new Promise<void>((done, fail) => {
    const child = spawn(join(DEBIAN_PG, "bin", program), args, {
      ...(root ? { uid: account.uid, gid: account.gid } : {}),
      cwd: "/",
      env: { ...process.env, PGPASSWORD: PASSWORD },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.on("error", fail);
    child.on("close", (code) => (code === 0 ? done() : fail(new Error(`${program} exited ${code}: ${err}`))));
  });
}

/** Waits until the standby has replayed everything the primary has written so far. */
async function caughtUp(): Promise<void> {
  const [{ lsn }] = (await primaryAdmin`select pg_current_wal_lsn()::text as lsn`) as unknown as [{ lsn: string }];
  for (let i = 0; i < 300; i++) {
    const [row] = await standbyAdmin<{ behind: boolean }[]>`
      select pg_last_wal_replay_lsn() < ${lsn}::pg_lsn as behind`;
    if (row && !row.behind) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the standby did not catch up within 30 s");
}

const scopeOf = (tenant: { id: string; code: string }): ScopeContext => ({
  userId: null,
  tenantId: tenant.id,
  scope: tenant.code,
  roles: ["tenant_admin"],
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zz-replica-"));
  primary = await startEmbeddedPostgres({
    dataDir: join(dir, "primary"),
    password: PASSWORD,
    persistent: false,
    nativeDir: DEBIAN_PG,
    flags: ["-c", "wal_level=replica", "-c", "max_wal_senders=4"],
  });
  const m = postgres(primary.adminUrl, { max: 1, onnotice: () => {} });
  await m.unsafe("create database zongzhi");
  await m.end();
  primaryUrl = withCredentials(primary.adminUrl, "zongzhi");
  await migrateAndLoad(primaryUrl, { appPassword: TEST_APP_PASSWORD, workerPassword: TEST_WORKER_PASSWORD }, silent);
  await prepareWorkerSchema(withCredentials(primaryUrl, null, "zz_worker", TEST_WORKER_PASSWORD));
  // With the centres and the demo cases: rows in every kind of table for the RLS comparison.
  await loadDemo(primaryUrl, { cipher: createSm4Cipher(keyringFromEnv(generateKeyringString())) });

  // The standby: a base backup streamed from the primary, configured to follow it (-R).
  const standbyDir = join(dir, "standby");
  const account = await postgresAccount();
  if (process.getuid?.() === 0) await chown(dir, account.uid, account.gid);
  await runAsPostgres("pg_basebackup", [
    "-h",
    "127.0.0.1",
    "-p",
    String(primary.port),
    "-U",
    "postgres",
    "-D",
    standbyDir,
    "-R",
    "-X",
    "stream",
    "-c",
    "fast",
  ]);
  // The copy carries the primary's owner marker: this process owns the standby as well.
  await rm(join(standbyDir, "zongzhi.owner"), { force: true });
  standby = await startEmbeddedPostgres({
    dataDir: standbyDir,
    password: PASSWORD,
    persistent: false,
    nativeDir: DEBIAN_PG,
    flags: ["-c", "hot_standby=on"],
  });
  standbyUrl = withCredentials(standby.adminUrl, "zongzhi");
  primaryAdmin = postgres(primaryUrl, { max: 1, onnotice: () => {} });
  standbyAdmin = postgres(standbyUrl, { max: 1, onnotice: () => {} });
  await caughtUp();

  primaryApp = createPool(withCredentials(primaryUrl, null, "zz_app", TEST_APP_PASSWORD), { max: 4 });
  replicaApp = createPool(withCredentials(standbyUrl, null, "zz_app", TEST_APP_PASSWORD), { max: 4 });
  const tenants = await primaryAdmin<{ id: string; code: string }[]>`
    select id, code from app.tenants where code in ('620981', '140881') order by code desc`;
  yumen = tenants[0]!;
  yongji = tenants[1]!;

  const db: TestDatabase = {
    name: "zongzhi",
    admin: primaryAdmin,
    app: primaryApp,
    appUrl: withCredentials(primaryUrl, null, "zz_app", TEST_APP_PASSWORD),
    workerUrl: withCredentials(primaryUrl, null, "zz_worker", TEST_WORKER_PASSWORD),
    adminUrl: primaryUrl,
    appPool: (max) => createPool(withCredentials(primaryUrl, null, "zz_app", TEST_APP_PASSWORD), { max }),
    close: async () => {},
  };
  api = await startTestApi({ db, demo: false, app: { replicaSql: replicaApp } });
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([primaryApp, replicaApp, primaryAdmin, standbyAdmin].map((sql) => sql?.end({ timeout: 1 })));
  await standby?.stop();
  await primary?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("a streaming replica (REPLICA_DATABASE_URL)", () => {
  it("is a hot standby the runtime role reads, and refuses writes", async () => {
    const [row] = await replicaApp<{ recovery: boolean; who: string }[]>`
      select pg_is_in_recovery() as recovery, current_user as who`;
    expect(row).toEqual({ recovery: true, who: "zz_app" });
    await expect(
      withScope(replicaApp, scopeOf(yumen), (tx) => tx.sql`update app.cases set title = title`),
    ).rejects.toMatchObject({ code: "25006" });
  });

  it("keeps RLS: every tenant table shows each scope on the replica exactly what it shows on the primary, nothing without a context, and no deployment another's rows", async () => {
    const tables = await primaryAdmin<{ name: string }[]>`
      select format('%I.%I', table_schema, table_name) as name from information_schema.columns
      where table_schema = 'app' and column_name = 'scope_code'
        and (table_schema, table_name) in (select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE')
        and has_table_privilege('zz_app', format('%I.%I', table_schema, table_name), 'SELECT')
      order by 1`;
    expect(tables.length).toBeGreaterThan(20);
    const problems: string[] = [];
    let yumenRows = 0;
    for (const { name } of tables) {
      const count = (sql: Sql, scope: ScopeContext | null) =>
        scope
          ? withScope(sql, scope, async (tx) => {
              const [r] = await tx.sql.unsafe<{ n: number; foreign: number }[]>(
                `select count(*)::int as n, count(*) filter (where scope_code like '${scope.scope === yumen.code ? yongji.code : yumen.code}%')::int as foreign from ${name}`,
              );
              return r!;
            })
          : withoutScope(sql, async (tx) => {
              const [r] = await tx.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${name}`);
              return { n: r!.n, foreign: 0 };
            });
      for (const scope of [scopeOf(yumen), scopeOf(yongji), null]) {
        const [onPrimary, onReplica] = [await count(primaryApp, scope), await count(replicaApp, scope)];
        const who = scope?.scope ?? "no context";
        if (onReplica.n !== onPrimary.n)
          problems.push(`${name} as ${who}: ${onReplica.n} on the replica, ${onPrimary.n} on the primary`);
        if (onReplica.foreign > 0)
          problems.push(`${name} as ${who}: ${onReplica.foreign} rows of the other deployment`);
        if (scope === null && onReplica.n > 0) problems.push(`${name} without a context: ${onReplica.n} rows`);
        if (scope?.scope === yumen.code) yumenRows += onReplica.n;
      }
    }
    expect(problems).toEqual([]);
    // The comparison proves something only if the demo's rows are there to be seen.
    expect(yumenRows).toBeGreaterThan(100);
  });

  it("lists the demo logins as the runtime role on the replica (no owner URL needed)", async () => {
    const logins = await presentDemoLogins(replicaApp);
    expect(logins.map((l) => l.username)).toContain("yumen.clerk");
    expect(logins.find((l) => l.username === "yumen.clerk")?.unit).toBe("620981 (county)");
  });

  it("refuses a replica URL of another role than the primary's runtime role", async () => {
    const ownerOnReplica = postgres(standbyUrl, { max: 1, onnotice: () => {} });
    try {
      await expect(assertReplicaRoleSafe(primaryApp, ownerOnReplica)).rejects.toThrow(
        /replica connects as postgres, the primary as zz_app.*superuser/,
      );
      await expect(assertReplicaRoleSafe(primaryApp, replicaApp)).resolves.toBeUndefined();
    } finally {
      await ownerOnReplica.end();
    }
  });

  it("routes: lag-tolerant reads to the replica, writes and the case just written to the primary", async () => {
    const clerk = api.client(await api.login("yumen.clerk"));
    await caughtUp();
    await standbyAdmin`select pg_wal_replay_pause()`;
    try {
      // The write goes to the primary (the replica would refuse it) and the case reads back at once.
      const made = await clerk.cases.register.mutate(villageDispute("副本路由测试"));
      expect((await clerk.cases.get.query({ id: made.id })).code).toBe(made.code);
      // The list reads the paused replica: the new case is not there yet.
      const lagging = await clerk.cases.list.query({ q: "副本路由测试" });
      expect(lagging.items.map((c) => c.id)).not.toContain(made.id);
      // Every lag-tolerant query answers from the replica (none of them writes).
      await clerk.cases.counts.query({});
      await clerk.cases.followUpRate.query();
      await clerk.cockpit.figures.query({});
      await clerk.cockpit.ranking.query({});
      await clerk.cockpit.supervision.query({});
      await clerk.escalation.deadlineCounts.query();
      await clerk.escalation.holdingByTier.query();
      const csv = await api.request("/exports/cases?format=csv&from=2026-01&to=2026-12", {
        cookie: await api.login("yumen.leader"),
      });
      expect(csv.status).toBe(200);
      expect(await csv.text()).not.toContain("副本路由测试");
    } finally {
      await standbyAdmin`select pg_wal_replay_resume()`;
    }
    await caughtUp();
    const listed = await clerk.cases.list.query({ q: "副本路由测试" });
    expect(listed.items).toHaveLength(1);
  });

  it("declares replica reads on queries only", () => {
    const onReplica = listProcedures().filter((p) => p.meta?.reads === "replica");
    expect(onReplica.map((p) => p.path)).toContain("cases.list");
    expect(onReplica.filter((p) => p.type !== "query").map((p) => p.path)).toEqual([]);
  });

  it("sends those reads to the primary when the replica goes away", async () => {
    const clerk = api.client(await api.login("yumen.clerk"));
    const made = await clerk.cases.register.mutate(villageDispute("副本停机测试"));
    await standbyAdmin.end();
    await standby.stop();
    const listed = await clerk.cases.list.query({ q: "副本停机测试" });
    expect(listed.items.map((c) => c.id)).toContain(made.id);
  });
});
