import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getCase, listCases } from "@zongzhi/api/services/cases";
import { createPool, type ScopeContext, type Sql, withoutScope, withScope } from "@zongzhi/db/client";
import type { TestDatabase } from "@zongzhi/testing";
import { createTenants } from "@zongzhi/testing/fixtures";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CitusCluster, citusInstallation, migrateAndDistribute, startCitusCluster } from "./citus-cluster.ts";
import { loadDemo } from "./demo.ts";
import { startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

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

  /** What the owner reads of the cases a scope may see (the policy written out), newest first. */
  async function ownerList(scope: string, n: number) {
    return admin<{ id: string; code: string; title: string; status: string; scopeCode: string }[]>`
      select id, code, title, status, scope_code as "scopeCode" from app.cases
      where starts_with(scope_code, ${scope}) or starts_with(handler_code, ${scope})
      order by registered_at desc, id desc limit ${n}`;
  }

  it("registers a case through the HTTP API on the coordinator; the county and the city read it back row by row, in the list and in the detail", async () => {
    const clerk = api.client(await api.login("yumen.clerk"));
    const registered = await clerk.cases.register.mutate(villageDispute("分片经由接口登记"));
    expect(registered.replayed).toBe(false);
    const [stored] = await admin<{ county: string }[]>`select county_code as county from app.cases
      where id = ${registered.id}`;
    expect(stored!.county).toBe(A);
    for (const [login, scope] of [
      ["yumen.leader", A],
      ["jiuquan.admin", CITY],
    ] as const) {
      const reader = api.client(await api.login(login));
      const page = await reader.cases.list.query({ limit: 50 });
      const want = await ownerList(scope, 50);
      expect(
        page.items.map((c) => ({ id: c.id, code: c.code, title: c.title, status: c.status, scopeCode: c.scopeCode })),
        login,
      ).toEqual(want);
      expect(page.items.map((c) => c.id)).toContain(registered.id);
      const detail = await reader.cases.get.query({ id: registered.id, reveal: false });
      expect(detail).toMatchObject({ id: registered.id, code: registered.code, status: "registered" });
      expect(detail.parties.map((x) => [x.role, x.revealed])).toEqual([["applicant", false]]);
      expect(detail.parties[0]!.phone).not.toBe("13609371234");
      expect(detail.events.map((e) => e.kind)).toContain("case.registered");
      expect(detail.deadlines.length).toBeGreaterThan(0);
    }
  });

  it("shows a case of one county held sideways by a unit of the other in that unit's inbox and detail, and to nobody else there", async () => {
    // A case of Yumen's probe village handled by Dunhuang's township (as an assignment down from
    // the city leaves it), written as a fixture like the probes.
    const town = villages.get(B)!.slice(0, 9);
    const [held] = await admin<{ id: string }[]>`select id from app.cases where county_code = ${A}
      and title like '分片登记%' order by seq limit 1`;
    await admin.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx`update app.cases set handler_code = ${town}, owner_code = ${town} where county_code = ${A} and id = ${held!.id}`;
    });
    const other = villages.get(B)!;
    for (const [scope, sees] of [
      [town, true],
      [B, true],
      [other, false],
    ] as const) {
      const got = await withScope(api.db.app, ctxOf(scope), async (tx) => {
        const page = await listCases(tx, { limit: 100 });
        const detail = await getCase(tx, held!.id, { reveal: false, cipher: api.cipher }).catch((e: Error) => e);
        return { ids: page.items.map((c) => c.id), detail };
      });
      expect(got.ids, scope).toEqual((await ownerList(scope, 100)).map((c) => c.id));
      expect(got.ids.includes(held!.id), scope).toBe(sees);
      if (sees) expect(got.detail).toMatchObject({ id: held!.id, handlerCode: town });
      else expect(got.detail).toBeInstanceOf(Error);
    }
  });

  it("keeps every trigger statement on its shard: a trigger's write to a shard on another worker is refused there", async () => {
    // Two probe tables colocated with the cases; a trigger on the first writes a row of the
    // county it is told into the second (as a rollup or an index keyed by another county would).
    await admin.unsafe(`create table public.zz_probe_from (county_code text collate "C" not null,
        target text collate "C" not null, primary key (county_code, target));
      create table public.zz_probe_to (county_code text collate "C" not null, source text collate "C" not null,
        primary key (county_code, source));
      create function public.zz_probe_follow() returns trigger language plpgsql as $$
      begin
        insert into public.zz_probe_to (county_code, source) values (NEW.target, NEW.county_code);
        return NEW;
      end $$`);
    try {
      for (const t of ["public.zz_probe_from", "public.zz_probe_to"])
        await admin`select create_distributed_table(${t}, 'county_code', colocate_with => 'app.cases')`;
      await admin.unsafe(`create trigger zz_probe_follow after insert on public.zz_probe_from
        for each row execute function public.zz_probe_follow()`);
      const nodeOf = async (county: string) =>
        (
          await admin<{ port: number }[]>`select nodeport as port from pg_dist_shard_placement
            where shardid = get_shard_id_for_distribution_column('app.cases', ${county}::text)`
        )[0]!.port;
      const home = await nodeOf(A);
      let away: string | undefined;
      for (const c of [B, "620921", "620922", "620923", "620924", CITY]) if ((await nodeOf(c)) !== home) away ??= c;
      expect(away).toBeDefined();
      // Its own county (its own shard): the trigger's statement runs there.
      await admin`insert into public.zz_probe_from values (${A}, ${A})`;
      expect(await admin`select county_code, source from public.zz_probe_to`).toEqual([{ county_code: A, source: A }]);
      // A county whose shard is on the other worker: refused before any connection is made.
      await expect(admin`insert into public.zz_probe_from values (${A}, ${away!})`).rejects.toThrow(
        /cannot execute a distributed query from a query on a shard/,
      );
      // Only with nested execution allowed (which Citus warns may give wrong results) would the
      // worker connect to the other worker, and it holds no password for it: no pg_dist_authinfo
      // on the workers is the right configuration, and a trigger must stay on its shard.
      await expect(
        admin.begin(async (tx) => {
          await tx.unsafe("set local citus.allow_nested_distributed_execution = on");
          await tx`insert into public.zz_probe_from values (${A}, ${away!})`;
        }),
      ).rejects.toThrow(/fe_sendauth: no password supplied/);
    } finally {
      await admin.unsafe("drop table if exists public.zz_probe_from, public.zz_probe_to");
      await admin.unsafe("drop function if exists public.zz_probe_follow()");
    }
  });

  it("answers the public lookup (一码可查, auth.public_case_lookup and auth.public_case_feedback) on the cluster", async () => {
    const clerk = api.client(await api.login("yumen.clerk"));
    const { code } = await clerk.cases.register.mutate(villageDispute("分片一码可查"));
    const ask = (phoneLast4: string) =>
      api.request("/public/lookup", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code, phoneLast4 }),
      });
    const res = await ask("1234");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { code: string; status: string; stages: { kind: string }[]; result: unknown };
    expect(body).toMatchObject({ code, status: "registered" });
    expect(body.stages.map((s) => s.kind)).toContain("case.registered");
    // A case of a public channel's result part, answered by auth.public_case_feedback (none yet).
    expect(body.result).toBeNull();
    expect((await ask("0000")).status).toBe(404);
  });
});

if (!pgDir) {
  console.info(
    "citus: not run — needs CITUS_PG_BIN, the bin/ of a PostgreSQL 15 with Citus 13.2 built in (infra/SCALE.md)",
  );
}
