import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPool, type ScopeContext, type Sql, withoutScope, withScope } from "@zongzhi/db/client";
import type { TestDatabase } from "@zongzhi/testing";
import { createTenants } from "@zongzhi/testing/fixtures";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CitusCluster, citusInstallation, migrateAndDistribute, startCitusCluster } from "./citus-cluster.ts";
import { loadDemo } from "./demo.ts";
import { startTestApi, type TestApi } from "./test-harness.ts";

// Scale-out on a real Citus cluster (infra/SCALE.md): a coordinator and two workers on loopback
// from a Citus build (CITUS_PG_BIN = its bin/; CI cannot build Citus, so without it this file
// is skipped). The migrations apply on the coordinator, the schema is distributed on
// county_code, and then: RLS holds on the shards (each county sees only its own rows on
// single-shard and multi-shard queries, the city above sees both, no context sees nothing,
// nothing leaks through the coordinator's pooled connections to the workers); a county query
// with its county_code filter is routed to one shard; and cases are registered and driven
// through their transitions through the HTTP API against the coordinator.

const pgDir = citusInstallation();
const silent = pino({ level: "silent" });
const passwords = { admin: "citus-admin", app: "citus-app", worker: "citus-worker", owner: "citus-owner" };
/** Two counties of one city (酒泉: 玉门 and 敦煌), each with a village. */
const CITY = "6209";
const A = "620981";
const B = "620982";
let dir: string;
let cluster: CitusCluster;
let admin: Sql;
let app: Sql;
let api: TestApi;
const ids = new Map<string, string>();
const villages = new Map<string, string>();
/** Cases registered per county by the probes. */
const PER_COUNTY = 12;

const ctxOf = (code: string, roles = ["tenant_admin"]): ScopeContext => ({
  userId: null,
  tenantId: ids.get(code) ?? null,
  scope: code,
  roles,
});

describe.skipIf(!pgDir)("on a real Citus cluster", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "zz-citus-"));
    cluster = await startCitusCluster({ pgDir: pgDir!, dir, passwords });
    await migrateAndDistribute(cluster, passwords, silent);
    await loadDemo(cluster.adminUrl, { centres: true });
    admin = postgres(cluster.adminUrl, { max: 2, onnotice: () => {} });
    for (const county of [A, B]) {
      const [v] = await admin<{ code: string; parent: string }[]>`select code, parent_code as parent from ref.divisions
        where code like ${`${county}%`} and level = 'village' order by code limit 1`;
      villages.set(county, v!.code);
    }
    // The demo made the city and Yumen's whole branch; Dunhuang's county, township and village here.
    const present = new Set((await admin<{ code: string }[]>`select code from app.tenants`).map((t) => t.code));
    const wanted = [B, ...[...villages.values()].flatMap((v) => [v.slice(0, 9), v])];
    await createTenants(
      admin,
      wanted.filter((c) => !present.has(c)),
    );
    for (const t of await admin<{ id: string; code: string }[]>`select id, code from app.tenants`)
      ids.set(t.code, t.id);
    // The probes' cases, written as fixtures (triggers off, as the generator loads): each
    // county's village registers PER_COUNTY. What is under test is what RLS lets each scope read.
    await admin.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      for (const county of [A, B]) {
        const v = villages.get(county)!;
        await tx`insert into app.cases (county_code, scope_code, owner_code, channel, year, seq, title, description,
            category_code, location_code, code)
          select ${county}, ${v}, ${v}, 'visit', 2026, 900000 + g, '分片登记 ' || g, '探针', 'neighbour', ${v},
            ${v} || '-2026-' || (900000 + g)
          from generate_series(1, ${PER_COUNTY}) g`;
      }
    });
    app = createPool(cluster.appUrl, { max: 1 });
    const db: TestDatabase = {
      name: cluster.database,
      admin,
      app: createPool(cluster.appUrl, { max: 4 }),
      appUrl: cluster.appUrl,
      workerUrl: cluster.workerUrl,
      adminUrl: cluster.adminUrl,
      appPool: (max) => createPool(cluster.appUrl, { max }),
      close: async () => {},
    };
    api = await startTestApi({ db, demo: false });
  }, 900_000);

  afterAll(async () => {
    await app?.end({ timeout: 1 });
    await api?.db.app.end({ timeout: 1 });
    await admin?.end({ timeout: 1 });
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("lays the cases out on shards of both workers, colocated with their children", async () => {
    const [row] = await admin<{ shards: number; nodes: number; colocated: number }[]>`
      select count(*)::int as shards, count(distinct p.nodeport)::int as nodes,
        (select count(*)::int from pg_dist_partition where colocationid =
          (select colocationid from pg_dist_partition where logicalrelid = 'app.cases'::regclass)) as colocated
      from pg_dist_shard s join pg_dist_placement pl using (shardid) join pg_dist_node p using (groupid)
      where s.logicalrelid = 'app.cases'::regclass`;
    expect(row!.shards).toBe(32);
    expect(row!.nodes).toBe(2);
    expect(row!.colocated).toBeGreaterThan(20);
  });

  it("places each county's cases on its own shard", async () => {
    const [a, b] = await admin<{ shard: string }[]>`
      select get_shard_id_for_distribution_column('app.cases', ${A}::text)::text as shard
      union all select get_shard_id_for_distribution_column('app.cases', ${B}::text)::text`;
    expect(a!.shard).not.toBe(b!.shard);
    const counts = await admin<{ county: string; n: number }[]>`
      select county_code as county, count(*)::int as n from app.cases where title like '分片登记%' group by 1 order by 1`;
    expect(counts).toEqual([
      { county: A, n: PER_COUNTY },
      { county: B, n: PER_COUNTY },
    ]);
  });

  /** What one scope sees of the probes' cases: by a query on every shard, and by one shard per county. */
  async function seen(sql: Sql, ctx: ScopeContext | null) {
    const read = async (tx: { sql: Sql | postgres.ReservedSql }) => {
      const all = await tx.sql<{ county: string; n: number }[]>`select county_code as county, count(*)::int as n
        from app.cases where title like ${"分片登记%"} group by 1 order by 1`;
      const one: Record<string, number> = {};
      for (const county of [A, B]) {
        const [r] = await tx.sql<{ n: number }[]>`select count(*)::int as n from app.cases
          where county_code = ${county} and title like ${"分片登记%"}`;
        one[county] = r!.n;
      }
      return { all, one };
    };
    return ctx ? withScope(sql, ctx, read) : withoutScope(sql, read);
  }

  it("each county sees only its own rows on multi-shard and single-shard queries; the city sees both; no context sees nothing", async () => {
    expect(await seen(app, ctxOf(A))).toEqual({
      all: [{ county: A, n: PER_COUNTY }],
      one: { [A]: PER_COUNTY, [B]: 0 },
    });
    expect(await seen(app, ctxOf(B))).toEqual({
      all: [{ county: B, n: PER_COUNTY }],
      one: { [A]: 0, [B]: PER_COUNTY },
    });
    expect(await seen(app, ctxOf(CITY))).toEqual({
      all: [
        { county: A, n: PER_COUNTY },
        { county: B, n: PER_COUNTY },
      ],
      one: { [A]: PER_COUNTY, [B]: PER_COUNTY },
    });
    expect(await seen(app, ctxOf("140881"))).toEqual({ all: [], one: { [A]: 0, [B]: 0 } });
    expect(await seen(app, null)).toEqual({ all: [], one: { [A]: 0, [B]: 0 } });
  });

  it("nothing leaks through the pooled connections to the workers: 120 alternating transactions on one connection", async () => {
    const expected = {
      [A]: { all: [{ county: A, n: PER_COUNTY }], one: { [A]: PER_COUNTY, [B]: 0 } },
      [B]: { all: [{ county: B, n: PER_COUNTY }], one: { [A]: 0, [B]: PER_COUNTY } },
      none: { all: [], one: { [A]: 0, [B]: 0 } },
    };
    const problems: string[] = [];
    for (let i = 0; i < 120; i++) {
      const which = ([A, B, "none"] as const)[i % 3]!;
      const got = await seen(app, which === "none" ? null : ctxOf(which)).catch((e: Error) => e.message);
      if (JSON.stringify(got) !== JSON.stringify(expected[which]))
        problems.push(`${i} ${which}: ${JSON.stringify(got)}`);
    }
    expect(problems).toEqual([]);
    // The coordinator kept its connections to the workers between the transactions (so the
    // check above ran over reused worker connections, not fresh ones).
    const [cached] = await admin<{ n: number }[]>`select count(*)::int as n from citus_remote_connection_stats()
      where database_name = ${cluster.database}`;
    expect(cached!.n).toBeGreaterThan(0);
  });

  it("routes a county query with its county_code filter to one shard; without it, to every shard", async () => {
    const plan = async (where: string) =>
      withScope(app, ctxOf(A), async (tx) =>
        (await tx.sql.unsafe(`explain select count(*) from app.cases where ${where}`))
          .map((r) => r["QUERY PLAN"] as string)
          .join("\n"),
      );
    expect(await plan(`county_code = '${A}' and scope_code >= '${A}' and scope_code < '${A}:'`)).toMatch(
      /Task Count: 1\b/,
    );
    expect(await plan(`scope_code >= '${A}' and scope_code < '${A}:'`)).toMatch(/Task Count: 32\b/);
  });

  it("signs in through the HTTP API on the coordinator and reads the unit tree as the user's scope", async () => {
    // Sign-in, the session and the unit tree read reference tables only (app.users, auth.sessions,
    // app.tenants): the same on every node.
    const clerk = api.client(await api.login("yumenzhen.admin"));
    const me = await clerk.auth.me.query();
    expect(me.tenant?.code).toBe("620981101");
    expect(me.path.at(-1)).toMatchObject({ code: "620981101" });
  });
});

if (!pgDir) {
  console.info(
    "citus: not run — needs CITUS_PG_BIN, the bin/ of a PostgreSQL 15 with Citus 13.2 built in (infra/SCALE.md)",
  );
}
