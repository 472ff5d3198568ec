import { type ScopeContext, type Sql, type Tx, withScope } from "@zongzhi/db/client";
import { type Captured, dbTimeAsApp, dbTimeAsOwner, planShape } from "./explain.ts";
import { type Summary, sampleRuns, summarize, timeRuns } from "./stats.ts";

/** One measured figure of the report. */
export interface Figure {
  section: string;
  name: string;
  tier?: string;
  unit?: string;
  /** Client round trip of the service call (ms), as the API runs it. */
  service?: Summary;
  /** Database time (planning + execution, ms) of the service's statements as zz_app with RLS. */
  db?: Summary;
  /** The same statements run by the superuser with the policies written out as plain predicates. */
  reference?: Summary;
  /** Throughput figures (HTTP, intake). */
  rate?: { perSecond: number; clients: number; seconds: number };
  rows?: number;
  statements?: number;
  plan?: string;
  target?: string;
  verdict?: "pass" | "miss" | "info";
  note?: string;
  load?: [number, number, number];
}

/** Budget of one figure's timing loops. */
export interface Budget {
  budgetMs: number;
  min: number;
  max: number;
}

/**
 * Times a read through the product's service: the call itself (client side), then its captured
 * statements in the database as zz_app under RLS and, as the reference, as the owner with the
 * policies written out.
 */
export function timeRead<T>(
  pools: ReadPools,
  ctx: ScopeContext,
  fn: (tx: Tx) => Promise<T>,
  budget: Budget,
): Promise<TimedCall<T>> {
  return timeCall(pools, ctx, () => withScope(pools.capture.sql, ctx, fn), budget);
}

/** What {@link timeCall} measured. */
export interface TimedCall<T> {
  service: Summary;
  db: Summary;
  reference: Summary;
  result: T;
  statements: number;
  plan: string;
  referenceRowsDiffer: { db: number; reference: number } | undefined;
}

/** The pools a timed read uses. */
export interface ReadPools {
  capture: { sql: Sql; take(): Captured[] };
  app: Sql;
  admin: Sql;
  policies: Map<string, string>;
}

/**
 * Like {@link timeRead} for any call that runs its statements on `pools.capture.sql` in the
 * scope `ctx` (a tRPC procedure through the router's caller, say).
 */
export async function timeCall<T>(
  pools: ReadPools,
  ctx: ScopeContext,
  call: () => Promise<T>,
  budget: Budget,
): Promise<TimedCall<T>> {
  const capture = async () => {
    pools.capture.take();
    const result = await call();
    return { result, statements: pools.capture.take() };
  };
  const first = performance.now();
  const { result, statements } = await capture();
  const firstMs = performance.now() - first;
  // A call slower than the whole budget is timed a few times only (it would otherwise take minutes).
  if (firstMs > budget.budgetMs) budget = { ...budget, min: 2, max: 2 };
  const service = summarize(
    await timeRuns(capture, {
      ...budget,
      warmup: firstMs > budget.budgetMs ? 0 : 1,
    }),
  );
  // RLS and reference alternate, so that both see the same machine load.
  const db: number[] = [];
  const reference: number[] = [];
  let rows: { db: number; reference: number } | undefined;
  if (firstMs <= budget.budgetMs) {
    await dbTimeAsApp(pools.app, ctx, statements);
    await dbTimeAsOwner(pools.admin, pools.policies, ctx, statements);
  }
  await sampleRuns(
    async () => {
      const a = await dbTimeAsApp(pools.app, ctx, statements);
      const o = await dbTimeAsOwner(pools.admin, pools.policies, ctx, statements);
      db.push(a.ms);
      reference.push(o.ms);
      rows ??= { db: a.rows, reference: o.rows };
      return 0;
    },
    { ...budget, warmup: 0, budgetMs: budget.budgetMs * 2 },
  );
  const main = statements.reduce<Captured | undefined>(
    (a, s) => (!a || s.query.length > a.query.length ? s : a),
    undefined,
  );
  const plan = main ? await planShape(pools.app, ctx, main) : "";
  return {
    service,
    db: summarize(db),
    reference: summarize(reference),
    result,
    statements: statements.length,
    plan,
    // A reference that returns other rows than the service's statements times other work.
    referenceRowsDiffer: rows !== undefined && rows.db !== rows.reference ? rows : undefined,
  };
}

/** A figure for a read that failed (a statement timeout, say): a miss with the error. */
export function failedFigure(section: string, name: string, tier: string, unit: string, error: unknown): Figure {
  const e = error as { code?: string; message?: string };
  return {
    section,
    name,
    tier,
    unit,
    verdict: "miss",
    note: `failed: ${e.code === "57014" ? "statement timeout (canceled)" : (e.message ?? String(error)).slice(0, 160)}`,
  };
}
