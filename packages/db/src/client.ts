import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";

/** A postgres.js pool. */
export type Sql = postgres.Sql;
/** A piece of SQL spliced into another query (a `tx.sql` template that is not awaited). */
export type SqlFragment = postgres.PendingQuery<postgres.Row[]>;

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
  /** The signed-in user's session (for re-authentication checks; never set in the database). */
  sessionId?: string;
  /** The client's address as the server determined it (audit lines name it; never from a header it does not trust). */
  ip?: string;
}

/** Handle passed to the body of {@link withScope}: a query builder and raw SQL on one connection. */
export interface Tx {
  /** Drizzle on this transaction's connection (made when first used). */
  db: PostgresJsDatabase;
  sql: postgres.ReservedSql;
  ctx: ScopeContext;
  /**
   * Sends `query` as the transaction's last statement with COMMIT right behind it, in one round
   * trip, and resolves with its rows once both are done. The body sends nothing after it. If the
   * statement fails, the COMMIT only ends the failed transaction (PostgreSQL rolls it back) and
   * the statement's error is thrown; if the COMMIT fails (a deferred check), that error is.
   */
  commitAfter<T>(query: PromiseLike<T>): Promise<T>;
}

/** Default size of the runtime role's pool (`DATABASE_POOL_MAX`; see the README). */
export const DEFAULT_POOL_MAX = 16;

/**
 * Whether a tagged statement carries a bound parameter (a plain value, `sql.json`, a typed
 * value, or one inside a fragment). Identifiers and builders (`sql(obj)`) are not counted, so a
 * statement made only of those stays unnamed: the conservative side.
 */
function hasParameters(args: readonly unknown[]): boolean {
  return args.some((a) => {
    if (Array.isArray(a) && a.length > 0 && a.every(isFragment)) return a.some((f) => hasParameters(f.args));
    if (isFragment(a)) return hasParameters(a.args);
    const kind = (a as { constructor?: { name?: string } } | null)?.constructor?.name;
    return kind !== "Identifier" && kind !== "Builder";
  });
}

function isFragment(a: unknown): a is { args: unknown[]; options: Record<string, unknown> } {
  return a instanceof Promise && (a as { tagged?: boolean }).tagged === true;
}

/**
 * Names (prepares) exactly the tagged statements that bind a parameter; the rest stay unnamed.
 * Why this is safe under RLS (DESIGN.md): the policies read `current_setting('app.scope')` when
 * the statement runs, and zz_app has `plan_cache_mode = force_custom_plan`, so a named statement
 * with a parameter is planned again at every execution, for the scope of that transaction. A
 * statement without parameters would keep its first plan (the first scope's estimates), so it is
 * never named. What naming saves: postgres.js describes an unnamed statement with parameters in
 * a round trip of its own before running it (and stops pipelining), and the server parses it
 * again each time; a named one is described once per connection.
 */
function preparingWithParameters<T extends postgres.Sql | postgres.ReservedSql>(sql: T): T {
  return new Proxy(sql, {
    apply(target, self, argv: unknown[]) {
      const query = Reflect.apply(target as never, self, argv) as unknown;
      const strings = argv[0] as { raw?: unknown } | undefined;
      if (Array.isArray(strings?.raw) && isFragment(query) && !hasParameters(argv.slice(1))) {
        query.options.prepare = false;
      }
      return query;
    },
  });
}

/**
 * Opens a pool for the runtime role (`max` connections, default {@link DEFAULT_POOL_MAX}).
 * Statements with bound parameters are prepared once per connection; statements without any stay
 * unnamed, so that no plan made for one tenant's scope is reused for another's (DESIGN.md,
 * `preparingWithParameters`). `prepare: false` turns naming off altogether.
 */
export function createPool(
  url: string,
  options: {
    max?: number;
    prepare?: boolean;
    /** Told the text of every statement sent (tests: the Citus routing check, packages/testing citus-writes.ts). */
    onStatement?: (statement: string) => void;
  } = {},
): Sql {
  const max = options.max ?? DEFAULT_POOL_MAX;
  const onStatement = options.onStatement;
  const sql = preparingWithParameters(
    postgres(url, {
      max,
      prepare: options.prepare ?? true,
      idle_timeout: 30,
      onnotice: () => {},
      connection: { application_name: "zongzhi" },
      ...(onStatement ? { debug: (_connection: number, statement: string) => onStatement(statement) } : {}),
    }),
  );
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
  // Drizzle sends each statement through `unsafe` with `prepare: false` (it names only what
  // `.prepare()` names), and postgres.js describes an unnamed statement with parameters in a
  // round trip of its own first: every Drizzle query would cost two. The same rule as the
  // templates (`preparingWithParameters`): a statement that binds a parameter is named, one
  // without stays unnamed.
  const unsafe = conn.unsafe.bind(conn);
  const client = Object.assign(conn, { options });
  const prepared = new Proxy(client, {
    get(target, property, receiver) {
      if (property !== "unsafe") return Reflect.get(target, property, receiver);
      return (query: string, params?: unknown[], queryOptions?: postgres.UnsafeQueryOptions) =>
        unsafe(query, params as never, { ...queryOptions, prepare: (params?.length ?? 0) > 0 });
    },
  });
  return drizzle({ client: prepared });
}

/** The operators' pseudo-scope: sorts before every digit, so it contains no tenant's rows. */
export const OPERATOR_SCOPE = "!";

/** What each setting of the tenant context may hold; nothing else is written into a statement. */
const SETTING_PATTERNS = {
  scope: /^(!|[0-9]{2,12})$/,
  id: /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/i,
  roles: /^([a-z][a-z0-9_]{0,62}(,[a-z][a-z0-9_]{0,62})*)?$/,
  // hono's request-id middleware keeps a header only in this alphabet (else a random UUID).
  requestId: /^[A-Za-z0-9_=-]{0,64}$/,
} as const;

/** `value` if it matches `pattern`, else an Error naming the setting (never its value's text in SQL). */
function checked(name: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new Error(`invalid ${name} ${JSON.stringify(value)}`);
  return value;
}

/**
 * The statements that set the tenant context of a transaction: `SET LOCAL app.… = '…'`, each
 * value first matched against its pattern ({@link SETTING_PATTERNS}: digits, a UUID, role names,
 * a request id; none can hold a quote or a backslash), so no caller's text reaches the statement.
 * Why SET LOCAL rather than `set_config(…, true)` with bound parameters: on Citus only SET LOCAL
 * is passed on to the workers (with `citus.propagate_set_commands = local`), and a worker that
 * never gets the scope shows nothing under RLS; on plain PostgreSQL both are the same
 * transaction-local setting. SET takes no bind parameter, hence the patterns.
 */
export function scopeSettings(
  ctx: Pick<ScopeContext, "scope" | "tenantId" | "userId" | "roles" | "requestId">,
): string[] {
  const values: [string, string][] = [
    ["app.scope", checked("scope", ctx.scope, SETTING_PATTERNS.scope)],
    ["app.tenant_id", checked("tenant id", ctx.tenantId ?? "", SETTING_PATTERNS.id)],
    ["app.user_id", checked("user id", ctx.userId ?? "", SETTING_PATTERNS.id)],
    ["app.roles", checked("roles", ctx.roles.join(","), SETTING_PATTERNS.roles)],
    ["app.request_id", checked("request id", ctx.requestId ?? "", SETTING_PATTERNS.requestId)],
  ];
  return values.map(([name, value]) => `set local ${name} = '${value}'`);
}

/**
 * Moves the running transaction to another scope (a platform administrator acting inside a new
 * deployment), the same way {@link withScope} set it: SET LOCAL of a value checked by pattern.
 */
export async function setLocalScope(tx: Pick<Tx, "sql">, scope: string): Promise<void> {
  await tx.sql.unsafe(`set local app.scope = '${checked("scope", scope, SETTING_PATTERNS.scope)}'`);
}

/**
 * Runs `fn` in one transaction whose tenant context is set with transaction-local settings
 * ({@link scopeSettings}). Why local: a session-level SET would survive on the pooled connection
 * and leak one tenant's scope into the next request; a local setting dies with the transaction.
 * BEGIN and the settings (simple-protocol statements, no bind parameters) are not awaited on
 * their own: the body's first statements follow them on the same connection in the same round
 * trip (postgres.js pipelines a reserved connection in order), and a failure of either is
 * reported before the body's.
 */
export async function withScope<T>(sql: Sql, ctx: ScopeContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const settings = scopeSettings(ctx);
  const conn = preparingWithParameters(await reserveCounted(sql));
  // "open": a transaction may be in progress; "ended": COMMIT was sent by commitAfter.
  let state: "open" | "ended" = "open";
  try {
    // Each statement its own simple-protocol message, all sent now (postgres.js sends a query
    // when it is first awaited), before the body's first, and pipelined: one round trip. Not
    // one multi-statement string: Citus passes a SET LOCAL on to the workers as the text of the
    // whole message it came in, so every statement of that message would run there again.
    const ready = Promise.all(["begin", ...settings].map((statement) => conn.unsafe(statement).execute()));
    let db: PostgresJsDatabase | undefined;
    const tx: Tx = {
      get db() {
        db ??= drizzleOn(sql, conn);
        return db;
      },
      sql: conn,
      ctx,
      async commitAfter<R>(query: PromiseLike<R>): Promise<R> {
        state = "ended";
        const [rows] = await Promise.all([query, conn.unsafe("commit")]);
        return rows;
      },
    };
    const [opened, body] = await Promise.allSettled([ready, fn(tx)]);
    if (opened.status === "rejected") throw opened.reason;
    if (body.status === "rejected") throw body.reason;
    if (state === "open") await conn.unsafe("commit");
    state = "ended";
    return body.value;
  } finally {
    if (state === "open") await conn.unsafe("rollback").catch(() => {});
    conn.release();
  }
}

/** Runs `fn` with no tenant context at all: RLS lets it see no tenant row. */
export async function withoutScope<T>(sql: Sql, fn: (tx: Omit<Tx, "ctx" | "commitAfter">) => Promise<T>): Promise<T> {
  const conn = preparingWithParameters(await reserveCounted(sql));
  try {
    await conn.unsafe("begin");
    let db: PostgresJsDatabase | undefined;
    const result = await fn({
      get db() {
        db ??= drizzleOn(sql, conn);
        return db;
      },
      sql: conn,
    });
    await conn.unsafe("commit");
    return result;
  } catch (error) {
    await conn.unsafe("rollback").catch(() => {});
    throw error;
  } finally {
    conn.release();
  }
}
