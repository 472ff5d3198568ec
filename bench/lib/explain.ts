import { type ScopeContext, type Sql, type Tx, withScope } from "@zongzhi/db/client";
import postgres from "postgres";

/** One statement as a service sent it: text and serialized parameters. */
export interface Captured {
  query: string;
  params: unknown[];
}

/**
 * A zz_app pool that records every statement it sends, so that the benchmark can time in the
 * database exactly what the product's service code asked for (whatever shape it has today).
 */
export function capturingPool(url: string, max: number): { sql: Sql; take(): Captured[] } {
  let log: Captured[] = [];
  const sql = postgres(url, {
    max,
    prepare: false,
    onnotice: () => {},
    idle_timeout: 30,
    connection: { application_name: "zongzhi-bench" },
    debug: (_connection: number, query: string, params: unknown[]) => {
      log.push({ query, params });
    },
  });
  return {
    sql,
    take() {
      // The driver's own type lookup on a fresh connection is no statement of the service.
      const out = log.filter((c) => !/^\s*(begin|commit|rollback|set local app\.)|pg_catalog\.pg_type/i.test(c.query));
      log = [];
      return out;
    },
  };
}

/** Runs `fn` through the service in the user's scope and returns its statements. */
export async function captureService<T>(
  pool: { sql: Sql; take(): Captured[] },
  ctx: ScopeContext,
  fn: (tx: Tx) => Promise<T>,
): Promise<{ result: T; statements: Captured[] }> {
  pool.take();
  const result = await withScope(pool.sql, ctx, fn);
  return { result, statements: pool.take() };
}

interface PlanJson {
  "Planning Time": number;
  "Execution Time": number;
  Plan: Record<string, unknown> & { "Actual Rows"?: number };
}

/** Database time of a run of statements, and the rows their top plan nodes returned. */
export interface DbTime {
  ms: number;
  rows: number;
}

async function explainIn(tx: postgres.Sql | postgres.TransactionSql, c: Captured): Promise<PlanJson> {
  const rows = await tx.unsafe(
    `explain (analyze, timing off, buffers off, summary on, format json) ${c.query}`,
    c.params as never[],
  );
  const plan = (rows[0] as Record<string, unknown>)["QUERY PLAN"] as PlanJson[];
  return plan[0] as PlanJson;
}

/** Database time (planning + execution, ms) of the statements, run as zz_app in the scope (RLS on). */
export async function dbTimeAsApp(app: Sql, ctx: ScopeContext, statements: Captured[]): Promise<DbTime> {
  return withScope(app, ctx, async (tx) => {
    const t: DbTime = { ms: 0, rows: 0 };
    for (const s of statements) {
      const p = await explainIn(tx.sql as unknown as postgres.Sql, s);
      t.ms += p["Planning Time"] + p["Execution Time"];
      t.rows += p.Plan["Actual Rows"] ?? 0;
    }
    return t;
  });
}

/** The plan's top node types (for the report: what the planner chose). */
export async function planShape(app: Sql, ctx: ScopeContext, statement: Captured): Promise<string> {
  return withScope(app, ctx, async (tx) => {
    const p = await explainIn(tx.sql as unknown as postgres.Sql, statement);
    const nodes: string[] = [];
    const walk = (n: Record<string, unknown>, depth: number) => {
      if (depth > 6 || nodes.length > 12) return;
      const rel = n["Relation Name"] ? ` ${n["Relation Name"]}` : "";
      const index = n["Index Name"] ? ` (${n["Index Name"]})` : "";
      nodes.push(`${n["Node Type"]}${rel}${index}`);
      for (const child of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child, depth + 1);
    };
    walk(p.Plan, 0);
    return nodes.join(" → ");
  });
}

/** The row-level security predicates of zz_app on each table, from the catalog (`pg_policies`). */
export async function appPolicies(admin: Sql): Promise<Map<string, string>> {
  const rows = await admin<{ table: string; qual: string }[]>`select schemaname || '.' || tablename as table,
      string_agg('(' || qual || ')', ' or ') as qual
    from pg_policies where 'zz_app' = any(roles) and cmd in ('SELECT', 'ALL') and permissive = 'PERMISSIVE'
      and qual is not null group by 1`;
  return new Map(rows.map((r) => [r.table, r.qual]));
}

/**
 * The statement with each zz_app policy written out as a plain predicate (the settings it reads
 * replaced by their values), so that the owner's run sees the same rows with no RLS at all:
 * `from app.cases c` becomes `from (select * from app.cases where <policy>) c`. Null when the
 * statement reads a table without a known alias form.
 */
export function writeOutPolicies(query: string, policies: Map<string, string>, ctx: ScopeContext): string {
  const settings: Record<string, string> = {
    scope: ctx.scope,
    tenant_id: ctx.tenantId ?? "",
    user_id: ctx.userId ?? "",
    roles: ctx.roles.join(","),
  };
  const literal = (s: string) => `'${s.replaceAll("'", "''")}'::text`;
  return query.replace(
    /\b(from|join)\s+((?:app|ref|auth)\.[a-z_]+)(\s+(?:as\s+)?(?!on\b|where\b|left\b|join\b|order\b|group\b|limit\b)([a-z_][a-z0-9_]*))?/gi,
    (all, keyword: string, table: string, aliasPart: string | undefined, alias: string | undefined) => {
      const qual = policies.get(table.toLowerCase());
      if (!qual) return all;
      const plain = qual.replace(/current_setting\('app\.([a-z_]+)'(?:::text)?,\s*true\)/g, (_m, name: string) =>
        literal(settings[name] ?? ""),
      );
      const name = alias ?? table.split(".")[1];
      return `${keyword} (select * from ${table} where ${plain}) ${name}${aliasPart ? "" : ""}`;
    },
  );
}

/** Database time of the statements as the superuser with the policies written out (the reference). */
export async function dbTimeAsOwner(
  admin: Sql,
  policies: Map<string, string>,
  ctx: ScopeContext,
  statements: Captured[],
): Promise<DbTime> {
  return admin.begin(async (tx) => {
    // The same transaction settings as the service's (RLS does not apply to the superuser):
    // without them a definer function that reads the scope, such as auth.case_page, would see
    // none and return nothing, and the reference would time an empty page.
    await tx`select set_config('app.scope', ${ctx.scope}, true), set_config('app.tenant_id', ${ctx.tenantId ?? ""}, true),
      set_config('app.user_id', ${ctx.userId ?? ""}, true), set_config('app.roles', ${ctx.roles.join(",")}, true)`;
    const t: DbTime = { ms: 0, rows: 0 };
    for (const s of statements) {
      const p = await explainIn(tx, { query: writeOutPolicies(s.query, policies, ctx), params: s.params });
      t.ms += p["Planning Time"] + p["Execution Time"];
      t.rows += p.Plan["Actual Rows"] ?? 0;
    }
    return t;
  }) as Promise<DbTime>;
}
