import type { Tx } from "@zongzhi/db/client";
import { CODE_LENGTH, LEVELS, levelOfCode } from "@zongzhi/domain";
import type { z } from "zod";
import type { tierHolding } from "../schemas/escalation.ts";
import { type CaseRef, ofCase } from "./case-events.ts";
import type { Holding } from "./case-views.ts";

/** One period a unit held a case (schemas/case-views.ts). */
export type { Holding };

/** Who held a case when, in order (village → township → county …). */
export async function caseHoldings(tx: Tx, c: CaseRef, now = new Date()): Promise<Holding[]> {
  const rows = await tx.sql<
    { holder_code: string; name: string | null; held_from: Date; held_until: Date | null; ended: Holding["ended"] }[]
  >`select h.holder_code, coalesce((select t.name from app.tenants t where t.code = h.holder_code),
      (select a.name from auth.ancestor_units() a where a.code = h.holder_code)) as name, h.held_from, h.held_until, h.ended
    from app.case_holdings h where ${ofCase(tx, c)} order by h.held_from, h.held_until nulls last`;
  return rows.map((r) => ({
    holderCode: r.holder_code,
    holderName: r.name,
    level: levelOfCode(r.holder_code),
    heldFrom: r.held_from,
    heldUntil: r.held_until,
    ended: r.ended,
    hours: ((r.held_until ?? now).getTime() - r.held_from.getTime()) / 3_600_000,
  }));
}

/** How long each tier held the cases of a subtree (schemas/escalation.ts). */
export type TierHolding = z.output<typeof tierHolding>;

/**
 * The leaders' cockpit question "how long did each tier hold it": over the cases registered in
 * the caller's subtree, per tier of the holding unit, from the rollup app.holding_tallies (0081):
 * its rows for the caller's own unit count the whole subtree, exact, the running periods' hours
 * up to `now` computed from the sum of their starts.
 */
export async function holdingByTier(tx: Tx, now = new Date()): Promise<TierHolding[]> {
  const scope = tx.ctx.scope;
  const rows = await tx.sql<{ len: number; cases: number; periods: number; current: number; hours: number }[]>`
    select holder_len as len, sum(cases)::int as cases, sum(periods)::int as periods, sum(current)::int as current,
      (sum(closed_seconds) + sum(current) * extract(epoch from ${now}::timestamptz) - sum(open_from))::float8 / 3600
        as hours
    from app.holding_tallies
    where scope_code >= ${scope} and scope_code <= ${scope}
    group by 1 having sum(periods) <> 0 order by 1`;
  return rows.map((r) => ({
    level: LEVELS.find((l) => CODE_LENGTH[l] === r.len) ?? null,
    cases: r.cases,
    periods: r.periods,
    current: r.current,
    totalHours: r.hours,
    averageHours: r.periods ? r.hours / r.periods : 0,
  }));
}
