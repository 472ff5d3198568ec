import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";

/** A postgres.js pool. */
export type Sql = postgres.Sql;

/** What a transaction runs as: the user, its tenant and the subtree it may read. */
export interface ScopeContext {
  userId: string | null;
  tenantId: string | null;
  /** The tenant's division code; its subtree is every code that starts with it. */
  scope: string;
  roles: readonly string[];
  /**
   * Set when a named system actor (a rule or a job, `SYSTEM_ACTORS` in the domain) acts rather
   * than the user: authorised by its own row of the permission table, never by a borrowed role.
   */
  system?: string;
  /** Set when an integrator's API key acts (its permissions; `roles` is then empty). */
  keyPermissions?: readonly string[];
  /** The acting API key's id (named on the case events it writes). */
  apiKeyId?: string;
  requestId?: string;
}

/** Handle passed to the body of {@link withScope}: a query builder and raw SQL on one connection. */
export interface Tx {
  db: PostgresJsDatabase;
  sql: postgres.ReservedSql;
  ctx: ScopeContext;
}

/**
 * Opens a pool for the runtime role. `prepare: false` makes every statement unnamed, so no
 * plan made for one tenant's scope is ever reused for another's (DESIGN.md).
 */
export function createPool(url: string, options: { max?: number } = {}): Sql {
  const max = options.max ?? 10;
  const sql = postgres(url, {
    max,
    prepare: false,
    idle_timeout: 30,
    onnotice: () => {},
    connection: { application_name: "zongzhi" },
  });
  stats.set(sql, { max, reserved: 0, waiting: 0 });
  return sql;
}

/** Usage of one pool: its size, the connections held by transactions, and the callers waiting for one. */
export interface PoolStats {
  max: number;
  reserved: number;
  waiting: number;
}

/**
 * Counted where transactions take and give back their connection (withScope, withoutScope):
 * postgres.js keeps its own counts private. Pools not made by {@link createPool} report none.
 */
const stats = new WeakMap<Sql, PoolStats>();

/** The current usage of a pool made by {@link createPool} (a copy), or undefined. */
export function poolStats(sql: Sql): PoolStats | undefined {
  const s = stats.get(sql);
  return s ? { ...s } : undefined;
}

/** Reserves a connection, counted in the pool's {@link PoolStats}; the release gives it back. */
async function reserveCounted(sql: Sql): Promise<postgres.ReservedSql> {
  const s = stats.get(sql);
  if (!s) return sql.reserve();
  s.waiting++;
  let conn: postgres.ReservedSql;
  try {
    conn = await sql.reserve();
  } finally {
    s.waiting--;
  }
  s.reserved++;
  const release = conn.release;
  let released = false;
  conn.release = () => {
    if (!released) {
      released = true;
      s.reserved--;
    }
    release();
  };
  return conn;
}

/** A Drizzle handle on one reserved connection (which lacks the pool's `options` Drizzle reads). */
function drizzleOn(pool: Sql, conn: postgres.ReservedSql): PostgresJsDatabase {
  // Drizzle rewrites the parsers of the options it is given; hand it a copy so that raw
  // queries on the pool keep postgres.js's own parsing (timestamps as Date).
  const options = {
    ...pool.options,
    parsers: { ...pool.options.parsers },
    serializers: { ...pool.options.serializers },
  };
  return drizzle({ client: Object.assign(conn, { options }) });
}

/** The operators' pseudo-scope: sorts before every digit, so it contains no tenant's rows. */
export const OPERATOR_SCOPE = "!";

/**
 * Runs `fn` in one transaction whose tenant context is set with transaction-local
 * `set_config(..., true)` and bound parameters. Why: a session-level SET would survive on the
 * pooled connection and leak one tenant's scope into the next request; a local setting dies
 * with the transaction. BEGIN and the settings are pipelined in the same round trip.
 */
export async function withScope<T>(sql: Sql, ctx: ScopeContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!/^(!|[0-9]{2,12})$/.test(ctx.scope)) throw new Error(`invalid scope ${JSON.stringify(ctx.scope)}`);
  const conn = await reserveCounted(sql);
  let open = false;
  try {
    const begin = conn.unsafe("begin");
    const settings = conn`select set_config('app.scope', ${ctx.scope}, true),
      set_config('app.tenant_id', ${ctx.tenantId ?? ""}, true),
      set_config('app.user_id', ${ctx.userId ?? ""}, true),
      set_config('app.roles', ${ctx.roles.join(",")}, true),
      set_config('app.request_id', ${ctx.requestId ?? ""}, true)`;
    open = true;
    await Promise.all([begin, settings]);
    const result = await fn({ db: drizzleOn(sql, conn), sql: conn, ctx });
    await conn.unsafe("commit");
    open = false;
    return result;
  } finally {
    if (open) await conn.unsafe("rollback").catch(() => {});
    conn.release();
  }
}

/** Runs `fn` with no tenant context at all: RLS lets it see no tenant row. */
export async function withoutScope<T>(sql: Sql, fn: (tx: Omit<Tx, "ctx">) => Promise<T>): Promise<T> {
  const conn = await reserveCounted(sql);
  try {
    await conn.unsafe("begin");
    const result = await fn({ db: drizzleOn(sql, conn), sql: conn });
    await conn.unsafe("commit");
    return result;
  } catch (error) {
    await conn.unsafe("rollback").catch(() => {});
    throw error;
  } finally {
    conn.release();
  }
}
