import { type Sql, withoutScope, withScope } from "@zongzhi/db/client";
import type postgres from "postgres";
import type { TestTenant } from "./fixtures.ts";
import { keyExpression, type SeededRow, type Statement, type TableFixture, type Writer } from "./table-fixtures.ts";

/**
 * Who a probe runs as. `scope: null` is a request with no tenant context at all; `""` is a
 * context that was set and emptied (what a pooled connection reads back after a transaction);
 * `"!"` is the operators' pseudo-scope.
 */
export interface Actor {
  label: string;
  scope: string | null;
  tenant: TestTenant | null;
  /** The user the request runs for (app.user_id), when a policy looks at it. */
  userId?: string | undefined;
  /** The attacker's own row in the probed table, for the "move it to the victim" probes. */
  own?: SeededRow;
}

/** Runs statements as zz_app in an actor's context, always inside a transaction that is rolled back. */
export interface ProbeDriver {
  attempt<T>(actor: Actor, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** How many attempts may run at once (1 unless the driver has a connection per attempt). */
  concurrency?: number;
}

/** What one probe found. */
export interface ProbeFinding {
  table: string;
  actor: string;
  probe: string;
  sql: string;
  /** `leak`: the attack reached the victim; `broken`: the probe failed for a reason that proves nothing. */
  verdict: "leak" | "broken";
  detail: string;
}

/** The result of {@link probeIsolation}: how many probes ran and what they found. */
export interface ProbeReport {
  probes: number;
  leaks: ProbeFinding[];
  broken: ProbeFinding[];
}

/** Outcome of one statement: its rows and affected-row count, or the SQLSTATE it failed with. */
export type StatementOutcome =
  | { ok: true; rows: Record<string, unknown>[]; count: number }
  | { ok: false; code: string; message: string };

const ROLLBACK = Symbol("probe rollback");

/** Runs one statement, turning a database error into an outcome instead of a throw. */
export async function runStatement(sql: Sql, st: Pick<Statement, "text" | "params">): Promise<StatementOutcome> {
  try {
    const result = await sql.unsafe(st.text, st.params as postgres.ParameterOrJSON<never>[]);
    return { ok: true, rows: [...result] as Record<string, unknown>[], count: result.count };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (typeof e.code !== "string") throw error;
    return { ok: false, code: e.code, message: e.message ?? "" };
  }
}

/**
 * The production path: zz_app's pool through `withScope` (or `withoutScope`), with the
 * transaction forced to roll back so that a probe that does get through leaves no trace.
 */
export function zzAppDriver(pool: Sql, concurrency = 4): ProbeDriver {
  return {
    concurrency,
    async attempt(actor, fn) {
      let out: Awaited<ReturnType<typeof fn>> | undefined;
      const body = async (sql: Sql) => {
        out = await fn(sql);
        throw ROLLBACK;
      };
      try {
        if (actor.scope === null) {
          await withoutScope(pool, (tx) => body(tx.sql));
        } else if (actor.scope === "") {
          await withoutScope(pool, async (tx) => {
            await tx.sql`select set_config('app.scope', '', true)`;
            return body(tx.sql);
          });
        } else {
          const ctx = {
            userId: actor.userId ?? null,
            tenantId: actor.tenant?.id ?? null,
            scope: actor.scope,
            roles: ["tenant_admin"],
          };
          await withScope(pool, ctx, (tx) => body(tx.sql));
        }
      } catch (error) {
        if (error !== ROLLBACK) throw error;
      }
      return out as Awaited<ReturnType<typeof fn>>;
    },
  };
}

/**
 * Runs probes inside a transaction the caller opened on a superuser connection (so that DDL
 * made to sabotage a policy is visible and rolled back with it): each attempt is a savepoint
 * with `SET LOCAL ROLE zz_app` and the actor's settings, rolled back afterwards.
 */
export function insideTransactionDriver(conn: Sql): ProbeDriver {
  const literal = (v: string) => `'${v.replaceAll("'", "''")}'`;
  return {
    async attempt(actor, fn) {
      const settings =
        actor.scope === null
          ? ""
          : `; select set_config('app.scope', ${literal(actor.scope)}, true), ` +
            `set_config('app.tenant_id', ${literal(actor.tenant?.id ?? "")}, true), ` +
            `set_config('app.user_id', ${literal(actor.userId ?? "")}, true)`;
      // One simple-protocol round trip: savepoint, role and settings.
      await conn.unsafe(`savepoint probe; set local role zz_app${settings}`);
      try {
        return await fn(conn);
      } finally {
        await conn.unsafe("rollback to savepoint probe");
      }
    },
  };
}

/** Runs at most `n` of the functions given to it at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((resume) => waiting.push(resume));
    active += 1;
    try {
      return await fn();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/** SQLSTATEs that mean "refused": privilege or policy (42501) and integrity refusals (class 23). */
function refused(code: string): boolean {
  return code === "42501" || code.startsWith("23");
}

/** Where the actor stands relative to the victim's tenant. */
export function relationOf(actor: Actor, victim: SeededRow): Writer | "other" {
  const scope = actor.scope;
  const code = victim.tenant.code;
  if (!scope || !/^[0-9]+$/.test(scope)) return "other";
  if (scope === code) return "self";
  if (code.startsWith(scope)) return "ancestor";
  if (scope.startsWith(code)) return "descendant";
  return "other";
}

/**
 * True when the table's rule lets `actor` read the victim's row: never across branches, and
 * for a shared table (a pool readable by descendants) from anywhere under the victim.
 */
export function mayRead(fixture: Pick<TableFixture, "shared">, victim: SeededRow, actor: Actor): boolean {
  const scope = actor.scope;
  return Boolean(
    fixture.shared &&
      scope &&
      scope !== victim.tenant.code &&
      /^[0-9]+$/.test(scope) &&
      scope.startsWith(victim.tenant.code),
  );
}

/**
 * Attacks the victim's row in one table from each actor and reports every probe that reached
 * it. The victim row must exist (seeded as the superuser); every probe runs through `driver`
 * and is rolled back. Probes: read it (by key, by code, in a full scan), update it, delete it,
 * truncate the table, insert rows carrying its tenant id or code, and move the actor's own row
 * into it (tenant columns). A read/update/delete passes when it returns or touches nothing or
 * is refused; a forge, a move or a TRUNCATE passes only when it is refused. Where the table's
 * rule lets the actor read the victim (a descendant reading a shared pool), the reads must
 * find the row instead, and every write must still fail.
 */
export async function probeIsolation(
  driver: ProbeDriver,
  fixture: TableFixture,
  victim: SeededRow,
  actors: readonly Actor[],
): Promise<ProbeReport> {
  const report: ProbeReport = { probes: 0, leaks: [], broken: [] };
  const limit = limiter(driver.concurrency ?? 1);
  const pending: Promise<void>[] = [];
  /** Runs one probe (as many at once as the driver allows) and judges its outcome. */
  const schedule = (actor: Actor, st: Statement, judge: (outcome: StatementOutcome) => void) => {
    report.probes += 1;
    pending.push(limit(() => driver.attempt(actor, (sql) => runStatement(sql, st))).then(judge));
  };
  const { table, tenantColumn, touch } = fixture;
  const key = keyExpression(fixture);
  const code = victim.tenant.code;

  for (const actor of actors) {
    const readable = mayRead(fixture, victim, actor);
    const note = (verdict: ProbeFinding["verdict"], probe: string, st: Statement, detail: string) =>
      report[verdict === "leak" ? "leaks" : "broken"].push({
        table,
        actor: actor.label,
        probe,
        sql: st.text.replace(/\s+/g, " "),
        verdict,
        detail,
      });

    /** Reads and writes that must see or touch none of the victim's rows. */
    const mustFindNothing = (
      probe: string,
      st: Statement,
      reached: (o: Extract<StatementOutcome, { ok: true }>) => boolean,
    ) =>
      schedule(actor, st, (outcome) => {
        if (outcome.ok) {
          if (reached(outcome)) {
            const rows = JSON.stringify(outcome.rows).slice(0, 200);
            note("leak", probe, st, `reached the victim: ${rows} (${outcome.count} rows)`);
          }
        } else if (outcome.code.startsWith("23")) {
          // An UPDATE or DELETE aimed at the victim's key that trips a constraint had matched the row.
          const why = `${outcome.code} ${outcome.message}`;
          note("leak", probe, st, `matched the victim's row; only a constraint stopped it: ${why}`);
        } else if (outcome.code !== "42501") {
          note("broken", probe, st, `${outcome.code} ${outcome.message}`);
        }
      });

    /** Reads the table's rule grants: they must find the victim's row (or the probe proves nothing). */
    const mustFind = (probe: string, st: Statement, reached: (o: Extract<StatementOutcome, { ok: true }>) => boolean) =>
      schedule(actor, st, (outcome) => {
        if (!outcome.ok) note("broken", probe, st, `a permitted read failed: ${outcome.code} ${outcome.message}`);
        else if (!reached(outcome)) note("broken", probe, st, "a permitted read did not find the victim's row");
      });
    const read = readable ? mustFind : mustFindNothing;

    /** Writes that must be refused outright. */
    const mustBeRefused = (probe: string, st: Statement) =>
      schedule(actor, st, (outcome) => {
        if (outcome.ok) note("leak", probe, st, `accepted (${outcome.count} rows)`);
        else if (!refused(outcome.code)) note("broken", probe, st, `${outcome.code} ${outcome.message}`);
      });

    /** Writes the table's rule grants this actor: they must work. */
    const mustSucceed = (probe: string, st: Statement) =>
      schedule(actor, st, (outcome) => {
        if (!outcome.ok) note("broken", probe, st, `a permitted write failed: ${outcome.code} ${outcome.message}`);
      });

    const byKey = { text: `where ${key} = $1`, params: [victim.key] };
    const byCode = { text: `where ${tenantColumn} = $1`, params: [code] };

    read(
      "read by key",
      { label: "read", text: `select ${key} as k from ${table} ${byKey.text}`, params: byKey.params },
      (o) => o.rows.length > 0,
    );
    read(
      "read by code",
      { label: "read", text: `select count(*)::int as n from ${table} ${byCode.text}`, params: byCode.params },
      (o) => Number(o.rows[0]?.n) > 0,
    );
    read("read everything", { label: "read", text: `select ${key} as k from ${table}`, params: [] }, (o) =>
      o.rows.some((r) => r.k === victim.key),
    );
    mustFindNothing(
      "update by key",
      { label: "update", text: `update ${table} set ${touch} = ${touch} ${byKey.text}`, params: byKey.params },
      (o) => o.count > 0,
    );
    mustFindNothing(
      "update by code",
      { label: "update", text: `update ${table} set ${touch} = ${touch} ${byCode.text}`, params: byCode.params },
      (o) => o.count > 0,
    );
    mustFindNothing(
      "delete by key",
      { label: "delete", text: `delete from ${table} ${byKey.text}`, params: byKey.params },
      (o) => o.count > 0,
    );
    mustFindNothing(
      "delete by code",
      { label: "delete", text: `delete from ${table} ${byCode.text}`, params: byCode.params },
      (o) => o.count > 0,
    );
    // TRUNCATE ignores row-level security altogether: only the privilege stands in its way.
    mustBeRefused("truncate", { label: "truncate", text: `truncate ${table} cascade`, params: [] });

    const relation = relationOf(actor, victim);
    for (const forge of fixture.forges(victim, actor)) {
      // Where the table's rule lets this actor do it (a village notifying its township), it must work.
      if (relation !== "other" && forge.allowedFor.includes(relation)) mustSucceed(`insert: ${forge.label}`, forge);
      else mustBeRefused(`insert: ${forge.label}`, forge);
    }

    if (actor.own) {
      for (const move of fixture.moves(victim)) {
        const st = {
          label: "move",
          text: `update ${table} set ${move.column} = $1 where ${key} = $2`,
          params: [move.value, actor.own.key],
        };
        if (relation !== "other" && move.allowedFor?.includes(relation))
          mustSucceed(`move own row: set ${move.column}`, st);
        else mustBeRefused(`move own row: set ${move.column}`, st);
      }
    }
  }
  await Promise.all(pending);
  const order = (a: ProbeFinding, b: ProbeFinding) =>
    a.actor.localeCompare(b.actor) || a.probe.localeCompare(b.probe) || a.sql.localeCompare(b.sql);
  report.leaks.sort(order);
  report.broken.sort(order);
  return report;
}

/** One line per finding, for assertion messages. */
export function describeFindings(findings: readonly ProbeFinding[]): string {
  return findings.map((f) => `${f.table} | ${f.actor} | ${f.probe}: ${f.detail}\n    ${f.sql}`).join("\n");
}
