import { randomBytes } from "node:crypto";
import type { Sql } from "@zongzhi/db/client";
import { CODE_LENGTH, childLevel, levelOfCode } from "@zongzhi/domain";
import type { TestTenant } from "./fixtures.ts";

/** A row a fixture put into one tenant, with what the probes need to aim at it. */
export interface SeededRow {
  /** Schema-qualified table name. */
  table: string;
  /** Primary-key value, as text. */
  key: string;
  /** The tenant the row belongs to. */
  tenant: TestTenant;
  /** Ids and values of related rows (the user a session belongs to, a tenant's root code…). */
  refs: Record<string, string>;
}

/** One SQL statement with bound parameters, as a probe sends it through zz_app. */
export interface Statement {
  /** What the statement attempts, for reports. */
  label: string;
  text: string;
  params: (string | null)[];
}

/** An INSERT carrying the victim's tenant id or code. */
export interface Forge extends Statement {
  /** True when the victim's parent is entitled to run the same statement (the positive control). */
  ancestorMay: boolean;
}

/** How to seed and attack one tenant-scoped table. */
export interface TableFixture {
  /** Schema-qualified table name. */
  table: string;
  /** Primary-key column. */
  key: string;
  /** The column carrying the owning tenant's code. */
  tenantColumn: "scope_code" | "code";
  /** A harmless column an UPDATE probe may touch (`set touch = touch`). */
  touch: string;
  /** Inserts one valid row belonging to `tenant`, as the superuser. */
  seed(admin: Sql, tenant: TestTenant): Promise<SeededRow>;
  /** INSERTs that would put a new row into the victim's tenant; `actor` is the attacker's tenant, if any. */
  forges(victim: SeededRow, actor: TestTenant | null): Forge[];
  /** Column assignments that would move the attacker's own row into the victim's tenant. */
  moves(victim: SeededRow): { column: string; value: string }[];
}

let serial = 0;
/** A name unique within the test run (usernames, session ids). */
function uniqueName(prefix: string): string {
  serial += 1;
  return `${prefix}${process.pid}x${serial}x${randomBytes(3).toString("hex")}`;
}

/** A helper user of `tenant`, for tables whose rows hang off a user. */
async function seedUser(admin: Sql, tenant: TestTenant): Promise<{ id: string; username: string }> {
  const [row] = await admin<{ id: string; username: string }[]>`
    insert into app.users (tenant_id, username, display_name, roles)
    values (${tenant.id}, ${uniqueName("probe.")}, ${`探针${tenant.code}`}, '{mediator}')
    returning id, username`;
  return row!;
}

/** The code of a child unit under `code` (all nines, so it never collides with a seeded tenant), or null for a village. */
function childCodeOf(code: string): string | null {
  const level = levelOfCode(code);
  const below = level && childLevel(level);
  return below ? code.padEnd(CODE_LENGTH[below], "9") : null;
}

const tenants: TableFixture = {
  table: "app.tenants",
  key: "id",
  tenantColumn: "code",
  touch: "name",
  // A tenant's own row is the row that belongs to it: createTenants already inserted it.
  async seed(admin, tenant) {
    const [row] = await admin<{ root_code: string; parent_id: string | null }[]>`
      select root_code, parent_id from app.tenants where id = ${tenant.id}`;
    if (!row) throw new Error(`tenant ${tenant.code} not found`);
    return { table: "app.tenants", key: tenant.id, tenant, refs: { rootCode: row.root_code } };
  },
  forges(victim) {
    const child = childCodeOf(victim.tenant.code);
    if (!child) return [];
    return [
      {
        label: "onboard a unit under the victim",
        text: `insert into app.tenants (code, level, parent_id, root_code, name) values ($1, $2, $3, $4, 'forged')`,
        params: [child, levelOfCode(child), victim.tenant.id, victim.refs.rootCode!],
        ancestorMay: true,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "parent_id", value: victim.tenant.id },
      { column: "root_code", value: victim.refs.rootCode! },
      { column: "code", value: childCodeOf(victim.tenant.code) ?? victim.tenant.code },
    ];
  },
};

const users: TableFixture = {
  table: "app.users",
  key: "id",
  tenantColumn: "scope_code",
  touch: "display_name",
  async seed(admin, tenant) {
    const user = await seedUser(admin, tenant);
    return { table: "app.users", key: user.id, tenant, refs: { username: user.username } };
  },
  forges(victim, actor) {
    return [
      {
        label: "create a user in the victim's tenant",
        text: `insert into app.users (tenant_id, username, display_name, roles) values ($1, $2, 'forged', '{mediator}')`,
        params: [victim.tenant.id, uniqueName("forged.")],
        ancestorMay: true,
      },
      {
        label: "create a user with the victim's scope code",
        text: `insert into app.users (tenant_id, scope_code, username, display_name, roles)
          values ($1, $2, $3, 'forged', '{mediator}')`,
        params: [actor?.id ?? victim.tenant.id, victim.tenant.code, uniqueName("forged.")],
        ancestorMay: false,
      },
      {
        // ON CONFLICT DO UPDATE reaches an existing row through its unique key, not through a WHERE.
        label: "upsert onto the victim's username",
        text: `insert into app.users (tenant_id, username, display_name, roles) values ($1, $2, 'forged', '{mediator}')
          on conflict (username) do update set display_name = excluded.display_name`,
        params: [actor?.id ?? victim.tenant.id, victim.refs.username!],
        ancestorMay: true,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "tenant_id", value: victim.tenant.id },
      { column: "scope_code", value: victim.tenant.code },
    ];
  },
};

const userSetupTokens: TableFixture = {
  table: "app.user_setup_tokens",
  key: "id",
  tenantColumn: "scope_code",
  touch: "used_at",
  async seed(admin, tenant) {
    const user = await seedUser(admin, tenant);
    const id = uniqueName("tok");
    await admin`insert into app.user_setup_tokens (id, secret_hash, user_id, expires_at)
      values (${id}, ${Buffer.alloc(32)}, ${user.id}, now() + interval '1 day')`;
    return { table: "app.user_setup_tokens", key: id, tenant, refs: { userId: user.id } };
  },
  forges(victim) {
    return [
      {
        label: "issue a setup link for the victim's user",
        text: `insert into app.user_setup_tokens (id, secret_hash, user_id, expires_at)
          values ($1, '\\x00'::bytea, $2, now() + interval '1 hour')`,
        params: [uniqueName("forged"), victim.refs.userId!],
        ancestorMay: true,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "user_id", value: victim.refs.userId! },
    ];
  },
};

const auditEvents: TableFixture = {
  table: "app.audit_events",
  key: "id",
  tenantColumn: "scope_code",
  touch: "kind",
  async seed(admin, tenant) {
    const [row] = await admin<{ id: string }[]>`
      insert into app.audit_events (scope_code, tenant_id, kind) values (${tenant.code}, ${tenant.id}, 'probe.seeded')
      returning id::text`;
    return { table: "app.audit_events", key: row!.id, tenant, refs: {} };
  },
  forges(victim) {
    return [
      {
        label: "write an audit line into the victim's log",
        text: `insert into app.audit_events (scope_code, tenant_id, kind) values ($1, $2, 'probe.forged')`,
        params: [victim.tenant.code, victim.tenant.id],
        ancestorMay: true,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "tenant_id", value: victim.tenant.id },
    ];
  },
};

const sessions: TableFixture = {
  table: "auth.sessions",
  key: "id",
  tenantColumn: "scope_code",
  touch: "last_active_at",
  async seed(admin, tenant) {
    const user = await seedUser(admin, tenant);
    const id = uniqueName("ses");
    await admin`insert into auth.sessions (id, secret_hash, user_id, scope_code)
      values (${id}, ${Buffer.alloc(32)}, ${user.id}, ${tenant.code})`;
    return { table: "auth.sessions", key: id, tenant, refs: { userId: user.id } };
  },
  forges(victim) {
    return [
      {
        label: "open a session for the victim's user",
        text: `insert into auth.sessions (id, secret_hash, user_id, scope_code) values ($1, '\\x00'::bytea, $2, $3)`,
        params: [uniqueName("forged"), victim.refs.userId!, victim.tenant.code],
        ancestorMay: false,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "user_id", value: victim.refs.userId! },
    ];
  },
};

/**
 * One fixture per tenant-scoped table. A new table with a `scope_code` column fails
 * `missingFixtures` (and so the isolation suite) until it is added here.
 */
export const TABLE_FIXTURES: readonly TableFixture[] = [tenants, users, userSetupTokens, auditEvents, sessions];

/** Tenant-scoped tables as the catalog has them: tables in `app`/`auth` with a `scope_code` column, plus app.tenants. */
export async function tenantScopedTables(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select n.nspname || '.' || c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname in ('app', 'auth')
      and (exists (select from pg_attribute a
                   where a.attrelid = c.oid and a.attname = 'scope_code' and a.attnum > 0 and not a.attisdropped)
           or (n.nspname = 'app' and c.relname = 'tenants'))
    order by 1`;
  return rows.map((r) => r.name);
}

/** Tables of `catalog` that have no fixture. */
export function missingFixtures(catalog: readonly string[]): string[] {
  const covered = new Set(TABLE_FIXTURES.map((f) => f.table));
  return catalog.filter((t) => !covered.has(t));
}

/** Seeds one row of every fixture table into each tenant, keyed by table then tenant code. */
export async function seedAllTables(
  admin: Sql,
  tenantsByCode: ReadonlyMap<string, TestTenant>,
): Promise<Map<string, Map<string, SeededRow>>> {
  const out = new Map<string, Map<string, SeededRow>>();
  for (const fixture of TABLE_FIXTURES) {
    const rows = new Map<string, SeededRow>();
    for (const tenant of tenantsByCode.values()) rows.set(tenant.code, await fixture.seed(admin, tenant));
    out.set(fixture.table, rows);
  }
  return out;
}
