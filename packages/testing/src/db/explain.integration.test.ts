import { type Sql, withScope } from "@zongzhi/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenants, createTestDatabase, type TestDatabase, type TestTenant, tenantScopedTables } from "../index.ts";

// Under RLS the planner must keep the plan it would make without RLS: the subtree policy is
// a leakproof range on scope_code, so a village's or a township's query goes through the
// scope index with the column's statistics, never a scan of the whole table.

const COUNTIES = 4;
const TOWNSHIPS = 10;
const VILLAGES = 50;
const USERS_PER_VILLAGE = 50;

let db: TestDatabase;
let tenants: Map<string, TestTenant>;

beforeAll(async () => {
  db = await createTestDatabase();
  tenants = await createTenants(db.admin, ["62", "6209"]);
  const city = tenants.get("6209")!;
  // 4 counties × 10 townships × 50 villages = 2,000 villages, parents before children.
  await db.admin`insert into app.tenants (code, level, parent_id, root_code, name)
    select '62098' || c, 'county', ${city.id}, '62', '县' || c from generate_series(1, ${COUNTIES}) c`;
  await db.admin`insert into app.tenants (code, level, parent_id, root_code, name)
    select p.code || (100 + t), 'township', p.id, '62', '镇' || p.code || t
    from app.tenants p, generate_series(1, ${TOWNSHIPS}) t where p.level = 'county'`;
  await db.admin`insert into app.tenants (code, level, parent_id, root_code, name)
    select p.code || lpad(v::text, 3, '0'), 'village', p.id, '62', '村' || p.code || v
    from app.tenants p, generate_series(1, ${VILLAGES}) v where p.level = 'township'`;
  // 100,000 users, 50 per village, interleaved across villages as they would be over time.
  // Triggers are skipped for the bulk load, so scope_code is set here exactly as the trigger would.
  await db.admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`insert into app.users (tenant_id, scope_code, username, display_name, roles)
      select v.id, v.code, 'u' || g || 'x' || v.n, '成员', '{mediator}'
      from generate_series(1, ${USERS_PER_VILLAGE}) g
      cross join (select id, code, row_number() over (order by random()) as n
                  from app.tenants where level = 'village') v
      order by g, v.n`;
  });
  await db.admin.unsafe("vacuum analyze app.users");
  const all = await db.admin<
    TestTenant[]
  >`select id, code from app.tenants where code in ('620982', '620982105', '620982105025')`;
  for (const t of all) tenants.set(t.code, t);
});
afterAll(() => db?.close());

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
};
type Explained = { Plan: PlanNode; "Planning Time"?: number; "Execution Time"?: number };

function nodes(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(nodes)];
}

const QUERIES = {
  count: { rls: "select count(*) from app.users", plain: (w: string) => `select count(*) from app.users where ${w}` },
  page: {
    rls: "select id, username, display_name from app.users order by scope_code, id limit 20",
    plain: (w: string) =>
      `select id, username, display_name from app.users where ${w} order by scope_code, id limit 20`,
  },
};

/** EXPLAIN as zz_app in `code`'s scope. */
async function explainAsTenant(code: string, query: string, analyze: boolean): Promise<Explained> {
  const t = tenants.get(code)!;
  const ctx = { userId: null, tenantId: t.id, scope: code, roles: ["tenant_admin"] };
  const rows = await withScope(db.app, ctx, (tx) =>
    tx.sql.unsafe(`explain (${analyze ? "analyze, " : ""}format json) ${query}`),
  );
  return (rows[0]!["QUERY PLAN"] as Explained[])[0]!;
}

/** EXPLAIN ANALYZE as the superuser (no RLS) with the policy's predicate written out. */
async function explainWithoutRls(sql: Sql, code: string, query: (where: string) => string): Promise<Explained> {
  const where = `scope_code >= '${code}' and scope_code < '${code}:'`;
  const rows = await sql.unsafe(`explain (analyze, format json) ${query(where)}`);
  return (rows[0]!["QUERY PLAN"] as Explained[])[0]!;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const total = (e: Explained) => (e["Planning Time"] ?? 0) + (e["Execution Time"] ?? 0);

describe("plans under RLS with 100,000 users in 2,000 villages", () => {
  it("holds the volume it claims", async () => {
    const [row] = await db.admin<{ users: number; villages: number }[]>`
      select (select count(*)::int from app.users) as users,
        (select count(*)::int from app.tenants where level = 'village') as villages`;
    expect(row).toEqual({ users: COUNTIES * TOWNSHIPS * VILLAGES * USERS_PER_VILLAGE, villages: 2000 });
  });

  for (const [level, code] of [
    ["village", "620982105025"],
    ["township", "620982105"],
  ] as const) {
    for (const [name, q] of Object.entries(QUERIES)) {
      it(`a ${level}'s ${name} query as zz_app goes through the scope index, never a scan of app.users`, async () => {
        const plan = await explainAsTenant(code, q.rls, false);
        const all = nodes(plan.Plan);
        const seq = all.filter((n) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "users");
        expect(seq, JSON.stringify(plan.Plan)).toEqual([]);
        const viaIndex = all.filter(
          (n) =>
            /^(Index Scan|Index Only Scan|Bitmap Index Scan)$/.test(n["Node Type"]) &&
            n["Index Name"] === "users_scope_idx",
        );
        expect(viaIndex.length, JSON.stringify(plan.Plan)).toBeGreaterThan(0);
      });
    }
  }

  it("no zz_app policy forces a scan: with sequential scans disabled, every readable tenant-scoped table is read through an index bounded by the scope", async () => {
    // Data-free: a policy the planner can serve from an index yields an index condition on
    // the scope once seq scans are disabled; one it cannot (a subquery OR'ed in, LIKE, a
    // missing index) still plans a scan, which at volume reads every tenant's rows.
    const scoped = await tenantScopedTables(db.admin);
    const tables = await db.admin<{ name: string; indexes: string[] }[]>`
      select c.oid::regclass::text as name,
        array(select ic.relname::text from pg_index i join pg_class ic on ic.oid = i.indexrelid where i.indrelid = c.oid) as indexes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid::regclass::text = any (${scoped}) and has_any_column_privilege('zz_app', c.oid, 'SELECT')
        and exists (select from pg_policies p where p.schemaname = n.nspname and p.tablename = c.relname
                    and p.roles && array['zz_app']::name[] and p.cmd in ('SELECT', 'ALL'))
      order by 1`;
    expect(tables.length).toBeGreaterThan(10);
    const village = tenants.get("620982105025")!;
    const ctx = {
      userId: "00000000-0000-4000-8000-000000000001",
      tenantId: village.id,
      scope: village.code,
      roles: [],
    };
    const scanned = await withScope(db.app, ctx, async (tx) => {
      await tx.sql`set local enable_seqscan = off`;
      const found: string[] = [];
      for (const { name, indexes } of tables) {
        const [row] = await tx.sql.unsafe(`explain (format json) select count(*) from ${name}`);
        const plan = (row!["QUERY PLAN"] as Explained[])[0]!;
        // One of the table's own indexes, with a condition on the scope (an index used without
        // one is a full index scan, and a subquery's index on another table does not count).
        const bounded = nodes(plan.Plan).some(
          (n) => indexes.includes(n["Index Name"] ?? "") && (n["Index Cond"] ?? "").includes("app.scope"),
        );
        if (!bounded) found.push(name);
      }
      return found;
    });
    expect(scanned).toEqual([]);
  });

  it("a LIKE policy would lose the index: the plan check above can fail", async () => {
    const conn = await db.admin.reserve();
    try {
      await conn.unsafe("begin");
      await conn.unsafe("drop policy users_scope on app.users");
      await conn.unsafe(`create policy users_like on app.users for select to zz_app
        using (scope_code like nullif(current_setting('app.scope', true), '') || '%')`);
      await conn.unsafe("set local role zz_app; select set_config('app.scope', '620982105025', true)");
      const [row] = await conn.unsafe(`explain (format json) ${QUERIES.count.rls}`);
      const plan = (row!["QUERY PLAN"] as Explained[])[0]!;
      const used = nodes(plan.Plan).map((n) => `${n["Node Type"]}${n["Index Name"] ? ` on ${n["Index Name"]}` : ""}`);
      expect(used).toContain("Seq Scan");
    } finally {
      await conn.unsafe("rollback");
      conn.release();
    }
  });

  it("costs about what the same predicate costs without RLS (printed for comparison)", async () => {
    const lines: string[] = [];
    for (const [level, code] of [
      ["village", "620982105025"],
      ["township", "620982105"],
      ["county", "620982"],
    ] as const) {
      for (const [name, q] of Object.entries(QUERIES)) {
        const rls: number[] = [];
        const plain: number[] = [];
        for (let i = 0; i < 7; i++) {
          rls.push(total(await explainAsTenant(code, q.rls, true)));
          plain.push(total(await explainWithoutRls(db.admin, code, q.plain)));
        }
        const [r, p] = [median(rls), median(plain)];
        lines.push(
          `${level.padEnd(8)} ${name.padEnd(5)}  zz_app (RLS) ${r.toFixed(3).padStart(8)} ms   ` +
            `superuser (no RLS) ${p.toFixed(3).padStart(8)} ms   ratio ${(r / p).toFixed(2)}`,
        );
        expect(r).toBeGreaterThan(0);
      }
    }
    console.log(`planning + execution, median of 7 (EXPLAIN ANALYZE):\n${lines.join("\n")}`);
  });
});
