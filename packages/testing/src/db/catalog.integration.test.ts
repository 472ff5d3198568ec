import type { Sql } from "@zongzhi/db/client";
import { runtimeRoleProblems } from "@zongzhi/db/safety";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, tenantScopedTables } from "../index.ts";

// The catalog rules that tenant isolation rests on, each written as a function returning the
// problems it finds, so that every rule is shown to pass on the migrated schema and to fail
// on a schema broken on purpose (inside a transaction that is rolled back).

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

const SCHEMAS = ["app", "auth", "ref"];

/** Tables in app/auth/ref whose row-level security is not both enabled and forced. */
async function rlsProblems(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string; enabled: boolean; forced: boolean }[]>`
    select n.nspname || '.' || c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname = any (${SCHEMAS}) and not (c.relrowsecurity and c.relforcerowsecurity)
    order by 1`;
  return rows.map((r) => `${r.name}: row-level security ${r.enabled ? "enabled but not forced" : "not enabled"}`);
}

/**
 * Views that would read with their owner's rights (bypassing RLS for the caller) and
 * materialized views (which cannot carry RLS at all).
 */
async function viewProblems(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string; kind: string }[]>`
    select n.nspname || '.' || c.relname as name, c.relkind::text as kind
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any (${[...SCHEMAS, "public"]})
      and not exists (select from pg_depend d where d.objid = c.oid and d.deptype = 'e')
      and (c.relkind = 'm' or (c.relkind = 'v' and not coalesce(
        (select lower(split_part(o, '=', 2)) in ('true', 'on', '1', 'yes')
         from unnest(c.reloptions) o where split_part(o, '=', 1) = 'security_invoker'), false)))
    order by 1`;
  return rows.map((r) =>
    r.kind === "m"
      ? `${r.name}: a materialized view cannot carry row-level security`
      : `${r.name}: view without security_invoker=true`,
  );
}

/** What would let zz_app escape its policies: attributes, ownership, memberships. */
async function appRoleProblems(sql: Sql): Promise<string[]> {
  const [role] = await sql<
    {
      super: boolean;
      bypass: boolean;
      createrole: boolean;
      createdb: boolean;
      replication: boolean;
      inherit: boolean;
    }[]
  >`select rolsuper as super, rolbypassrls as bypass, rolcreaterole as createrole, rolcreatedb as createdb,
      rolreplication as replication, rolinherit as inherit from pg_roles where rolname = 'zz_app'`;
  if (!role) return ["role zz_app does not exist"];
  const problems: string[] = [];
  if (role.super) problems.push("zz_app is a superuser");
  if (role.bypass) problems.push("zz_app has BYPASSRLS");
  if (role.createrole) problems.push("zz_app has CREATEROLE");
  if (role.createdb) problems.push("zz_app has CREATEDB");
  if (role.replication) problems.push("zz_app has REPLICATION");
  const owned = await sql<{ what: string }[]>`
    select 'relation ' || c.oid::regclass::text as what from pg_class c where c.relowner = 'zz_app'::regrole
    union all select 'function ' || p.oid::regprocedure::text from pg_proc p where p.proowner = 'zz_app'::regrole
    union all select 'schema ' || n.nspname from pg_namespace n where n.nspowner = 'zz_app'::regrole
    union all select 'type ' || t.oid::regtype::text from pg_type t where t.typowner = 'zz_app'::regrole
      and not exists (select from pg_depend d where d.objid = t.oid and d.deptype = 'i')
    union all select 'database ' || d.datname from pg_database d where d.datdba = 'zz_app'::regrole`;
  for (const o of owned) problems.push(`zz_app owns ${o.what}`);
  const memberships = await sql<{ role: string }[]>`
    select r.rolname as role from pg_auth_members m join pg_roles r on r.oid = m.roleid
    where m.member = 'zz_app'::regrole`;
  for (const m of memberships) problems.push(`zz_app is a member of ${m.role}`);
  return problems;
}

/** Privileges zz_app must never hold: TRUNCATE (ignores RLS), REFERENCES, TRIGGER, MAINTAIN, CREATE. */
async function appPrivilegeProblems(sql: Sql): Promise<string[]> {
  const rows = await sql<{ problem: string }[]>`
    select c.oid::regclass::text || ': zz_app holds ' || p as problem
    from pg_class c join pg_namespace n on n.oid = c.relnamespace,
      unnest(array['TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN']) p
    where c.relkind in ('r', 'p', 'v', 'm') and n.nspname = any (${[...SCHEMAS, "public"]})
      and has_table_privilege('zz_app', c.oid, p)
    union all
    select 'schema ' || n.nspname || ': zz_app may CREATE' from pg_namespace n
    where n.nspname = any (${[...SCHEMAS, "public"]}) and has_schema_privilege('zz_app', n.oid, 'CREATE')
    union all
    -- Temporary objects are how a caller would shadow a definer function's types (see below).
    select 'database: zz_app may create temporary objects'
    where has_database_privilege('zz_app', current_database(), 'TEMPORARY')
    order by 1`;
  return rows.map((r) => r.problem);
}

/** The scope value as every policy must spell it (deparsed). */
const S = "NULLIF(current_setting('app.scope'::text, true), ''::text)";
/** Columns that carry a division code (the tenant column, and a case's handler and owner). */
const CODE = "(scope_code|code|handler_code|owner_code)";
/**
 * The predicates that bind a branch of a zz_app policy to the caller's scope: the subtree
 * range (DESIGN.md), the strict-descendant range (tenants: never oneself), equality (a centre
 * writes only its own rows) and equality to one of the scope's own prefixes (shared pools).
 * All are text comparisons on a "C" column, which are leakproof, so the planner keeps the
 * scope index and its statistics; the prefix list is `= ANY (ARRAY[left(S, n)…])`, texteq
 * over constants, not an array operator on the column.
 */
const SCOPE_ATOMS = [
  `\\(\\(${CODE} >= S\\) AND \\(\\1 < \\(S \\|\\| ':'::text\\)\\)\\)`,
  `\\(\\(${CODE} > S\\) AND \\(\\1 < \\(S \\|\\| ':'::text\\)\\)\\)`,
  `\\(${CODE} = S\\)`,
  `\\(${CODE} = ANY \\(ARRAY\\["left"\\(S, 2\\), "left"\\(S, 4\\), "left"\\(S, 6\\), "left"\\(S, 9\\)\\]\\)\\)`,
].map((re) => new RegExp(re, "g"));
/** Predicates a branch may add to narrow it further (never enough on their own). */
const NARROWING_ATOMS = [
  `\\([a-z_]+ IS NULL\\)`,
  `\\([a-z_]+ = \\(NULLIF\\(current_setting\\('app\\.user_id'::text, true\\), ''::text\\)\\)::uuid\\)`,
].map((re) => new RegExp(re, "g"));
/** Constructs to name when a policy matches none of the atoms (LIKE, ltree, arrays, subqueries). */
const FORBIDDEN = [
  [/~~/, "LIKE"],
  [/\bltree\b|\blquery\b|<@|@>/, "ltree or containment"],
  [/&&/, "array overlap"],
  [/\bSELECT\b/i, "a (select …) wrapper or subquery"],
  [/starts_with/, "starts_with"],
  [/current_setting\('app\.scope'::text(, true)?\)(?!, ''::text\))/, "current_setting without nullif"],
] as const;

/**
 * Whether a policy expression is built only from the atoms above, with every OR branch bound
 * to the scope: reduces the atoms to tokens and reads the AND/OR tree that remains.
 */
function policyShapeProblem(expr: string): string | null {
  let rest = expr.replaceAll(S, "S");
  for (const re of SCOPE_ATOMS) rest = rest.replace(re, " A ");
  for (const re of NARROWING_ATOMS) rest = rest.replace(re, " X ");
  const tokens = rest.match(/\(|\)|\bAND\b|\bOR\b|\bA\b|\bX\b|\S+/g) ?? [];
  const unknown = tokens.filter((t) => !["(", ")", "AND", "OR", "A", "X"].includes(t));
  if (unknown.length > 0) {
    const named = FORBIDDEN.filter(([re]) => re.test(expr)).map(([, what]) => what);
    return named.length ? `uses ${named.join(", ")}` : "not a leakproof range on the scope";
  }
  let i = 0;
  // Returns whether the (sub)expression restricts every row it admits to the caller's scope.
  const parse = (): boolean => {
    const token = tokens[i++];
    if (token === "A") return true;
    if (token === "X") return false;
    if (token !== "(") throw new Error(`unexpected ${token}`);
    const terms = [parse()];
    let op: string | undefined;
    while (tokens[i] === "AND" || tokens[i] === "OR") {
      op = tokens[i++];
      terms.push(parse());
    }
    if (tokens[i++] !== ")") throw new Error("unbalanced");
    return op === "OR" ? terms.every(Boolean) : terms.some(Boolean);
  };
  const wrapped = tokens[0] === "(" ? tokens : ["(", ...tokens, ")"];
  tokens.splice(0, tokens.length, ...wrapped);
  try {
    if (!parse() || i !== tokens.length) return "a branch of the policy is not bound to the scope";
  } catch {
    return "not a leakproof range on the scope";
  }
  return null;
}

/** zz_app policies on tenant-scoped tables that are not built from leakproof ranges on the scope. */
async function policyProblems(sql: Sql): Promise<string[]> {
  const tables = await tenantScopedTables(sql);
  const policies = await sql<{ name: string; tbl: string; qual: string | null; check: string | null }[]>`
    select p.policyname as name, p.schemaname || '.' || p.tablename as tbl, p.qual, p.with_check as check
    from pg_policies p
    where p.schemaname || '.' || p.tablename = any (${tables}) and p.roles && array['zz_app', 'public']::name[]
    order by 2, 1`;
  const problems: string[] = [];
  for (const p of policies) {
    for (const [part, expr] of [
      ["USING", p.qual],
      ["WITH CHECK", p.check],
    ] as const) {
      if (expr === null) continue;
      const problem = policyShapeProblem(expr);
      if (problem) problems.push(`${p.tbl} policy ${p.name} ${part}: ${problem}: ${expr.replace(/\s+/g, " ")}`);
    }
  }
  const elsewhere = await sql<{ name: string; tbl: string; cmd: string }[]>`
    select p.policyname as name, p.schemaname || '.' || p.tablename as tbl, p.cmd from pg_policies p
    where not (p.schemaname || '.' || p.tablename = any (${tables})) and p.roles && array['zz_app', 'public']::name[]
      and not (p.schemaname = 'ref' and p.cmd = 'SELECT')`;
  for (const p of elsewhere)
    problems.push(`${p.tbl} policy ${p.name}: zz_app may ${p.cmd} rows of a table that is not tenant-scoped`);
  return problems;
}

/** Tenant columns that are not `text COLLATE "C"` or lack a btree index leading on them. */
async function tenantColumnProblems(sql: Sql): Promise<string[]> {
  const tables = await tenantScopedTables(sql);
  const rows = await sql<{ tbl: string; col: string; type: string; collation: string | null; indexed: boolean }[]>`
    select c.oid::regclass::text as tbl, a.attname as col, format_type(a.atttypid, a.atttypmod) as type,
      (select collname from pg_collation where oid = a.attcollation) as collation,
      exists (select from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_am am on am.oid = ic.relam
              where i.indrelid = c.oid and i.indkey[0] = a.attnum and am.amname = 'btree') as indexed
    from pg_class c join pg_attribute a on a.attrelid = c.oid
    where c.oid::regclass::text = any (${tables})
      and a.attname = case when c.oid = 'app.tenants'::regclass then 'code' else 'scope_code' end
      -- Policies only matter for performance where zz_app queries through them.
      and exists (select from pg_policies p where p.schemaname || '.' || p.tablename = c.oid::regclass::text
                  and p.roles && array['zz_app', 'public']::name[])
    order by 1`;
  const problems: string[] = [];
  for (const r of rows) {
    if (r.type !== "text" || r.collation !== "C")
      problems.push(`${r.tbl}.${r.col} is ${r.type} collate ${r.collation}`);
    if (!r.indexed) problems.push(`${r.tbl}.${r.col} has no btree index leading on it`);
  }
  return problems;
}

/** SECURITY DEFINER functions outside the system schemas, with their settings and owner. */
async function definerFunctions(sql: Sql) {
  return sql<{ sig: string; config: string[] | null; owner: string; owner_super: boolean }[]>`
    select p.oid::regprocedure::text as sig, p.proconfig as config, r.rolname as owner, r.rolsuper as owner_super
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_roles r on r.oid = p.proowner
    where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')
      and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
    order by 1`;
}

const searchPathOf = (config: string[] | null) =>
  config?.find((c) => c.startsWith("search_path="))?.slice("search_path=".length) ?? null;

/** Definer functions that do not pin search_path, or that are owned by a superuser. */
async function definerProblems(sql: Sql): Promise<string[]> {
  const problems: string[] = [];
  for (const f of await definerFunctions(sql)) {
    if (searchPathOf(f.config) === null) problems.push(`${f.sig}: SECURITY DEFINER without a pinned search_path`);
    if (f.owner_super) problems.push(`${f.sig}: SECURITY DEFINER owned by superuser ${f.owner}`);
  }
  return problems;
}

/**
 * Definer functions whose pinned search_path does not end with pg_temp. Why: when pg_temp is
 * not listed, PostgreSQL searches the caller's temporary schema FIRST for tables and types,
 * so a caller with TEMP can shadow a type the function names (`text`, `uuid`…) with a domain
 * whose CHECK calls the caller's own function, which then runs with the definer's rights.
 */
async function definerTempProblems(sql: Sql): Promise<string[]> {
  const problems: string[] = [];
  for (const f of await definerFunctions(sql)) {
    const path = searchPathOf(f.config);
    if (path === null) continue;
    const parts = path.split(",").map((p) => p.trim().replaceAll('"', ""));
    if (parts.at(-1) !== "pg_temp") problems.push(`${f.sig}: search_path=${path} (pg_temp not last)`);
  }
  return problems;
}

/** The problems `check` reports on a superuser transaction after `ddl` (rolled back), beyond those it reports now. */
async function afterBreaking(ddl: string[], check: (sql: Sql) => Promise<string[]>): Promise<string[]> {
  // Only what the breakage adds: the demonstration holds whatever the schema's own state.
  const before = new Set(await check(db.admin));
  const conn = await db.admin.reserve();
  try {
    await conn.unsafe("begin");
    for (const statement of ddl) await conn.unsafe(statement);
    return (await check(conn)).filter((p) => !before.has(p));
  } finally {
    await conn.unsafe("rollback");
    conn.release();
  }
}

describe("row-level security", () => {
  it("every table in app, auth and ref has row-level security enabled and forced", async () => {
    const [count] = await db.admin<{ n: number }[]>`
      select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = any (${SCHEMAS})`;
    expect(count!.n).toBeGreaterThanOrEqual(10);
    expect(await rlsProblems(db.admin)).toEqual([]);
  });

  it("a table whose RLS is enabled but not forced is reported", async () => {
    const found = await afterBreaking(["alter table app.users no force row level security"], rlsProblems);
    expect(found).toEqual(["app.users: row-level security enabled but not forced"]);
  });

  it("a new table without RLS is reported", async () => {
    const found = await afterBreaking(["create table app.probe_plain (id int)"], rlsProblems);
    expect(found).toEqual(["app.probe_plain: row-level security not enabled"]);
  });
});

describe("views", () => {
  it("every view in app, auth, ref and public runs with the caller's rights (security_invoker) and none is materialized", async () => {
    expect(await viewProblems(db.admin)).toEqual([]);
  });

  it("a view without security_invoker, or a materialized view, is reported", async () => {
    const found = await afterBreaking(
      [
        "create view app.probe_users as select id, scope_code from app.users",
        "create view app.probe_ok with (security_invoker = true) as select id from app.users",
        "create materialized view app.probe_counts as select scope_code, count(*) from app.users group by 1",
      ],
      viewProblems,
    );
    expect(found).toEqual([
      "app.probe_counts: a materialized view cannot carry row-level security",
      "app.probe_users: view without security_invoker=true",
    ]);
  });
});

describe("the runtime role", () => {
  it("zz_app is not a superuser, has no BYPASSRLS, owns nothing and belongs to no role", async () => {
    expect(await appRoleProblems(db.admin)).toEqual([]);
  });

  it("zz_app owning a table, or holding BYPASSRLS, is reported", async () => {
    const found = await afterBreaking(
      [
        "create table app.probe_owned (id int)",
        "alter table app.probe_owned owner to zz_app",
        "alter role zz_app bypassrls",
      ],
      appRoleProblems,
    );
    expect(found).toEqual(["zz_app has BYPASSRLS", "zz_app owns relation app.probe_owned"]);
  });

  it("zz_app holds no TRUNCATE, REFERENCES, TRIGGER or MAINTAIN privilege and may create nothing, not even temporary objects", async () => {
    expect(await appPrivilegeProblems(db.admin)).toEqual([]);
  });

  it("a TRUNCATE grant (which ignores RLS), a CREATE on a schema or TEMPORARY on the database is reported", async () => {
    const found = await afterBreaking(
      [
        "grant truncate on app.audit_events to zz_app",
        "grant create on schema app to zz_app",
        `grant temporary on database ${db.name} to zz_app`,
      ],
      appPrivilegeProblems,
    );
    expect(found).toEqual(
      expect.arrayContaining(["app.audit_events: zz_app holds TRUNCATE", "schema app: zz_app may CREATE"]),
    );
    // TEMPORARY is reported once granted (new, or already there: see the test above).
    expect([...found, ...(await appPrivilegeProblems(db.admin))]).toContain(
      "database: zz_app may create temporary objects",
    );
  });

  it("zz_app never reuses a generic plan across scopes: plan_cache_mode is force_custom_plan", async () => {
    const [row] = await db.app<{ mode: string }[]>`select current_setting('plan_cache_mode') as mode`;
    expect(row!.mode).toBe("force_custom_plan");
  });

  it("runtimeRoleProblems reports a superuser connection and accepts zz_app", async () => {
    const asSuperuser = await runtimeRoleProblems(db.admin);
    expect(asSuperuser.some((p) => p.includes("is a superuser"))).toBe(true);
    expect(await runtimeRoleProblems(db.app)).toEqual([]);
  });
});

describe("policies", () => {
  it("every zz_app policy on a tenant-scoped table is a leakproof range on current_setting('app.scope')", async () => {
    const [count] = await db.admin<{ n: number }[]>`
      select count(*)::int as n from pg_policies where roles && array['zz_app']::name[]`;
    expect(count!.n).toBeGreaterThanOrEqual(10);
    expect(await policyProblems(db.admin)).toEqual([]);
  });

  it("LIKE, (select …) wrappers, array operators and ltree-style containment are reported", async () => {
    const found = await afterBreaking(
      [
        "drop policy users_scope on app.users",
        "create policy probe_like on app.users for select to zz_app using (scope_code like current_setting('app.scope', true) || '%')",
        "create policy probe_select on app.users for update to zz_app using (scope_code >= (select nullif(current_setting('app.scope', true), '')) and scope_code < (select nullif(current_setting('app.scope', true), '')) || ':')",
        "create policy probe_array on app.users for delete to zz_app using (string_to_array(scope_code, '') @> string_to_array(current_setting('app.scope', true), ''))",
        "create policy probe_ok on app.users for insert to zz_app with check (scope_code >= nullif(current_setting('app.scope', true), '') and scope_code < nullif(current_setting('app.scope', true), '') || ':')",
      ],
      policyProblems,
    );
    expect(found).toHaveLength(3);
    expect(found.find((p) => p.includes("probe_like"))).toContain("uses LIKE");
    expect(found.find((p) => p.includes("probe_select"))).toContain("a (select …) wrapper");
    expect(found.find((p) => p.includes("probe_array"))).toContain("ltree or containment");
  });

  it("an OR branch not bound to the scope, or a range without nullif, is reported", async () => {
    const found = await afterBreaking(
      [
        "drop policy users_scope on app.users",
        `create policy probe_branch on app.users for select to zz_app using (
          (scope_code = nullif(current_setting('app.scope', true), '')) or (tenant_id is null))`,
        `create policy probe_nullif on app.users for update to zz_app using (
          scope_code >= current_setting('app.scope', true) and scope_code < current_setting('app.scope', true) || ':')`,
        `create policy probe_narrowed on app.users for delete to zz_app using (
          scope_code = nullif(current_setting('app.scope', true), '') and tenant_id is null)`,
      ],
      policyProblems,
    );
    expect(found).toHaveLength(2);
    expect(found.find((p) => p.includes("probe_branch"))).toContain("a branch of the policy is not bound to the scope");
    expect(found.find((p) => p.includes("probe_nullif"))).toContain("current_setting without nullif");
  });

  it("a permissive policy for PUBLIC on a tenant-scoped table is reported (it applies to zz_app too)", async () => {
    const found = await afterBreaking(
      ["create policy probe_public on app.mediators for select using (true)"],
      policyProblems,
    );
    expect(found).toEqual(["app.mediators policy probe_public USING: not a leakproof range on the scope: true"]);
  });

  it('every tenant column zz_app queries through a policy is text COLLATE "C" with a btree index', async () => {
    expect(await tenantColumnProblems(db.admin)).toEqual([]);
  });

  it("a tenant column without its index, or in another collation, is reported", async () => {
    const found = await afterBreaking(
      [
        "drop index app.users_scope_idx",
        `create table app.probe_posix (id int, scope_code text collate "POSIX")`,
        "create index on app.probe_posix (scope_code)",
        "create policy probe_posix_read on app.probe_posix for select to zz_app using (true)",
      ],
      tenantColumnProblems,
    );
    expect(found).toEqual([
      "app.probe_posix.scope_code is text collate POSIX",
      "app.users.scope_code has no btree index leading on it",
    ]);
  });
});

describe("SECURITY DEFINER functions", () => {
  it("every one pins search_path and none is owned by a superuser", async () => {
    expect((await definerFunctions(db.admin)).length).toBeGreaterThanOrEqual(10);
    expect(await definerProblems(db.admin)).toEqual([]);
  });

  it("one without a pinned search_path is reported", async () => {
    const found = await afterBreaking(
      [
        "set local role zz_auth",
        "create function auth.probe_unpinned() returns int language sql security definer as 'select 1'",
        "reset role",
      ],
      definerProblems,
    );
    expect(found).toEqual(["auth.probe_unpinned(): SECURITY DEFINER without a pinned search_path"]);
  });

  // HOLE (see the report): 0003 and 0005 pin `search_path = pg_catalog, app[, auth]` without
  // pg_temp, so PostgreSQL searches the caller's temporary schema first for types. Fails until
  // a migration runs `ALTER FUNCTION … SET search_path = pg_catalog, app, auth, pg_temp` on
  // each of them (and, belt and braces, `REVOKE TEMPORARY ON DATABASE … FROM zz_app`).
  it("HOLE: every one lists pg_temp last in its search_path, so a caller's temporary objects cannot shadow its types", async () => {
    expect(await definerTempProblems(db.admin)).toEqual([]);
  });
});
