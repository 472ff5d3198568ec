import type { ScopeContext, Sql } from "@zongzhi/db/client";
import type { Level } from "@zongzhi/domain";

/** A unit the benchmark acts as, with its generated staff account. */
export interface BenchUnit {
  level: Level;
  code: string;
  name: string;
  cases: number;
  ctx: ScopeContext;
  username: string;
}

const LENGTH: Record<Level, number> = { province: 2, city: 4, county: 6, township: 9, village: 12 };

async function unitAt(admin: Sql, code: string, level: Level, cases: number): Promise<BenchUnit> {
  const [u] = await admin<{ id: string; tenant_id: string; roles: string[]; username: string; name: string }[]>`
    select u.id, u.tenant_id, u.roles, u.username, t.name from app.users u join app.tenants t on t.id = u.tenant_id
    where t.code = ${code} and u.username like 'gen.%' limit 1`;
  if (!u) throw new Error(`no generated staff account at ${code}`);
  return {
    level,
    code,
    name: u.name,
    cases,
    username: u.username,
    ctx: { userId: u.id, tenantId: u.tenant_id, scope: code, roles: u.roles },
  };
}

/**
 * The busiest unit of each tier (the one whose subtree holds the most cases): the worst case
 * a list at that tier meets. The province is the deployment root.
 */
export async function busiestUnits(admin: Sql, province: string): Promise<BenchUnit[]> {
  const out: BenchUnit[] = [];
  const [all] = await admin<{ n: number }[]>`select count(*)::int as n from app.cases`;
  out.push(await unitAt(admin, province, "province", all?.n ?? 0));
  for (const level of ["city", "county", "township", "village"] as const) {
    const len = LENGTH[level];
    const [row] = await admin<{ code: string; n: number }[]>`select left(scope_code, ${len}) as code, count(*)::int as n
      from app.cases where length(scope_code) >= ${len} group by 1 order by 2 desc, 1 limit 1`;
    if (!row) throw new Error(`no cases at ${level} level`);
    out.push(await unitAt(admin, row.code, level, row.n));
  }
  return out;
}

/** The busiest units of a tier (e.g. 16 townships for intake). */
export async function busiest(admin: Sql, level: Level, count: number): Promise<BenchUnit[]> {
  const len = LENGTH[level];
  const rows = await admin<{ code: string; n: number }[]>`select scope_code as code, count(*)::int as n
    from app.cases where length(scope_code) = ${len} group by 1 order by 2 desc, 1 limit ${count}`;
  return Promise.all(rows.map((r) => unitAt(admin, r.code, level, r.n)));
}
