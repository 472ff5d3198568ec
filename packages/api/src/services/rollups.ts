import type { Tx } from "@zongzhi/db/client";
import { CODE_LENGTH, notFound } from "@zongzhi/domain";
import type { z } from "zod";
import type { deadlineCounts as deadlineCountsView } from "../schemas/escalation.ts";
import type { CaseFilter } from "./case-filter.ts";
import type { CaseCounts, CaseTotal, FollowUpRate } from "./case-views.ts";

// Overviews read from the rollups the database keeps in step with every change (migration
// 0032; the figures by month are the cockpit's, services/figures.ts): a unit's own rows count
// its whole subtree, so a province's figures are a few hundred rows whatever its size. Every read names the unit as a closed range [unit, unit]: the planner
// merges it with the policy's subtree range on the same column, which keeps its estimates right.

const UNIT = { zh: "单位", en: "unit" };

/** The unit whose subtree is read: the caller's own, or a unit below it (anything else: not found). */
function unitOf(tx: Tx, unitCode?: string | undefined): string {
  const unit = unitCode ?? tx.ctx.scope;
  if (!/^[0-9]+$/.test(unit) || !unit.startsWith(tx.ctx.scope)) throw notFound(UNIT);
  return unit;
}

/**
 * The cases (as `c`) a unit of the caller's scope holds sideways (registered outside the scope,
 * handled in it): picked by their index (migration 0038), then read under the policy by key,
 * one lookup each, county by county (app.held_cases, 0190; joined plainly, the planner misjudges
 * the policy's range and reads the subtree).
 */
const HELD_SIDEWAYS = (tx: Tx) => tx.sql`app.held_cases() c`;

/** Counts of a subtree's cases as they stand now (schemas/case-views.ts). */
export type { CaseCounts };

/** A unit's subtree now, from app.case_tallies (the caller's own unit unless `unitCode` names one below it). */
export async function caseCounts(tx: Tx, unitCode?: string | undefined): Promise<CaseCounts> {
  const unit = unitOf(tx, unitCode);
  const rows = await tx.sql<{ dim: string; value: string; n: number }[]>`select dim, value, sum(n)::int as n
    from app.case_tallies where scope_code >= ${unit} and scope_code <= ${unit} group by dim, value`;
  const by = (dim: string) =>
    Object.fromEntries(rows.filter((r) => r.dim === dim && r.n !== 0).map((r) => [r.value, r.n])) as Record<
      string,
      number
    >;
  const byState = by("state");
  const followed = by("followed");
  return {
    unitCode: unit,
    total: Object.values(byState).reduce((a, b) => a + b, 0),
    byState,
    byColour: by("colour"),
    byCategory: by("category"),
    byChannel: by("channel"),
    byRisk: by("risk"),
    byTier: by("tier"),
    byLevel: by("level"),
    groupDisputes: by("group").yes ?? 0,
    closed: (followed.yes ?? 0) + (followed.no ?? 0),
    followedUp: followed.yes ?? 0,
  };
}

/** The dashboard's deadline block (schemas/escalation.ts). */
type DeadlineCounts = z.output<typeof deadlineCountsView>;

/** How many units the dashboard's deadline block lists. */
export const DEADLINE_TOP = 10;

/**
 * Open clocks by colour (红黄蓝) for the caller's subtree, in total and per unit that must meet
 * them, from app.clock_units (0175) plus the clocks of cases a unit of the subtree holds sideways.
 * Totals come from the subtree's row for every owner (owner ''), the ranking from the index of
 * folded rows in its order (most red, then most yellow, then by code): only the owners that still
 * have rows in a backend's shard, or clocks held sideways, are summed in full and merged in, so
 * the answer is exact between the minute scan's folds without grouping the thousands of owners
 * of a province. Only the first `top` units' names are looked up (one statement). Colours are those of the last
 * deadline scan (every minute), the same the supervisions were opened on.
 */
export async function deadlineCounts(tx: Tx, top = DEADLINE_TOP): Promise<DeadlineCounts> {
  const scope = tx.ctx.scope;
  const [row] = await tx.sql<Pick<DeadlineCounts, "totals" | "units" | "unitCount">[]>`
    with side as (
      select d.owner_code, (count(*) filter (where d.colour = 'blue'))::int as blue,
        (count(*) filter (where d.colour = 'yellow'))::int as yellow, (count(*) filter (where d.colour = 'red'))::int as red
      from ${HELD_SIDEWAYS(tx)}
        cross join lateral (select d.owner_code, d.colour from app.case_deadlines d
          where d.case_id = c.id and d.completed_at is null and d.paused_since is null offset 0) d
      group by 1),
    -- Owners whose counts are not all in their folded row: summed in full.
    touched as (
      select u.owner_code from app.clock_units u
      where u.scope_code >= ${scope} and u.scope_code <= ${scope} and u.shard <> 0 and u.owner_code <> ''
      union select owner_code from side),
    merged as (
      select owner_code, sum(blue)::int as blue, sum(yellow)::int as yellow, sum(red)::int as red from (
        select u.owner_code, u.blue, u.yellow, u.red from app.clock_units u
        where u.scope_code >= ${scope} and u.scope_code <= ${scope} and u.owner_code in (select owner_code from touched)
        union all select * from side) x
      group by 1 having sum(blue + yellow + red) > 0),
    -- Every other owner: its folded row is its count. The equality lets the planner read the rank
    -- index in its order and stop after the first ten (the range alone leaves it a sort of all).
    folded as not materialized (
      select u.owner_code, u.blue, u.yellow, u.red from app.clock_units u
      where u.scope_code >= ${scope} and u.scope_code <= ${scope} and u.scope_code = ${scope} and u.shard = 0
        and u.owner_code <> ''
        and u.blue + u.yellow + u.red > 0 and u.owner_code not in (select owner_code from touched)),
    ranked as (
      select * from (select * from folded order by red desc, yellow desc, owner_code limit ${top}) f
      union all select * from merged
      order by red desc, yellow desc, owner_code limit ${top}),
    totals as (
      select sum(blue)::int as blue, sum(yellow)::int as yellow, sum(red)::int as red from (
        select u.blue, u.yellow, u.red from app.clock_units u
        where u.scope_code >= ${scope} and u.scope_code <= ${scope} and u.owner_code = ''
        union all select blue, yellow, red from side) x)
    select json_build_object('blue', coalesce(t.blue, 0), 'yellow', coalesce(t.yellow, 0), 'red', coalesce(t.red, 0))
        as totals,
      coalesce((select json_agg(json_build_object('unitCode', r.owner_code,
          'unitName', (select n.name from app.tenants n where n.code = r.owner_code), 'blue', r.blue,
          'yellow', r.yellow, 'red', r.red) order by r.red desc, r.yellow desc, r.owner_code) from ranked r), '[]')
        as units,
      ((select count(*) from folded) + (select count(*) from merged))::int as "unitCount"
    from totals t`;
  return {
    totals: row?.totals ?? { blue: 0, yellow: 0, red: 0 },
    units: row?.units ?? [],
    unitCount: row?.unitCount ?? 0,
  };
}

/** The follow-up rate (回访率): share of closed (or archived) cases with at least one follow-up. */
export async function followUpRate(tx: Tx): Promise<FollowUpRate> {
  const scope = tx.ctx.scope;
  const [row] = await tx.sql<{ closed: number; followed: number }[]>`
    with counts as (
      select value, sum(n) as n from app.case_tallies
      where scope_code >= ${scope} and scope_code <= ${scope} and dim = 'followed' group by value
      union all
      select case when c.followed_up then 'yes' else 'no' end, count(*) from ${HELD_SIDEWAYS(tx)}
      where c.status in ('closed', 'archived') group by 1)
    select coalesce(sum(n), 0)::int as closed, coalesce(sum(n) filter (where value = 'yes'), 0)::int as followed
    from counts`;
  const closed = row?.closed ?? 0;
  const followedUp = row?.followed ?? 0;
  return { closed, followedUp, rate: closed === 0 ? null : followedUp / closed };
}

/** How many cases an inbox filter matches ("共 N 件"), exact or bounded (schemas/case-views.ts). */
export type { CaseTotal };

/** Counting beyond this many matches of a filter the rollups cannot answer is not worth its time. */
export const TOTAL_BOUND = 1000;

/**
 * The number of cases an inbox filter matches. Exact from the rollups when the filter is at most
 * one of state, colour, category, channel, risk grade or tier (with or without a unit); else the
 * page function counts up to TOTAL_BOUND matches and says when there are more.
 */
export async function countCases(tx: Tx, f: Omit<CaseFilter, "limit" | "before">): Promise<CaseTotal> {
  const unit = f.unitCode ?? tx.ctx.scope;
  if (!unit.startsWith(tx.ctx.scope)) return { n: 0, exact: true };
  const dims = [
    f.status?.length ? (["state", f.status] as const) : null,
    f.deadlineColour ? (["colour", [f.deadlineColour]] as const) : null,
    f.categoryCode ? (["category", [f.categoryCode]] as const) : null,
    f.channel ? (["channel", [f.channel]] as const) : null,
    f.riskGrade ? (["risk", [f.riskGrade]] as const) : null,
    f.level ? (["level", [f.level]] as const) : null,
  ].filter((d) => d !== null);
  const other =
    f.q || f.registeredSince || f.mine || f.ownedHere || f.awaitingSignFor || f.pendingSummons || f.sessionOn;
  if (!other && dims.length <= 1) {
    const [dim, values] = dims[0] ?? (["level", ["province", "city", "county", "township", "village"]] as const);
    const [row] = await tx.sql<{ n: number }[]>`select coalesce(sum(n), 0)::int as n from app.case_tallies
      where scope_code >= ${unit} and scope_code <= ${unit} and dim = ${dim} and value = any(${[...values]}::text[])`;
    let n = row?.n ?? 0;
    if (unit === tx.ctx.scope) {
      const [held] = await tx.sql<{ n: number }[]>`select count(*)::int as n from ${HELD_SIDEWAYS(tx)}
        where true
          ${f.status?.length ? tx.sql`and c.status = any(${f.status}::app.case_state[])` : tx.sql``}
          ${f.deadlineColour ? tx.sql`and c.deadline_colour = ${f.deadlineColour}` : tx.sql``}
          ${f.categoryCode ? tx.sql`and c.category_code = ${f.categoryCode}` : tx.sql``}
          ${f.channel ? tx.sql`and c.channel = ${f.channel}` : tx.sql``}
          ${f.riskGrade ? tx.sql`and c.risk_grade = ${f.riskGrade}` : tx.sql``}
          ${f.level ? tx.sql`and length(c.scope_code) = ${CODE_LENGTH[f.level]}` : tx.sql``}`;
      n += held?.n ?? 0;
    }
    return { n, exact: true };
  }
  // Counted up to the bound in no order, with the same visibility and filters as the page (0038).
  const [row] = await tx.sql<{ n: number }[]>`select auth.case_count(${unit},
      ${f.status?.length ? f.status : null}::app.case_state[], ${f.categoryCode ?? null},
      ${f.channel ?? null}::app.case_channel, ${f.riskGrade ?? null}::app.risk_grade, ${f.deadlineColour ?? null},
      ${f.level ? CODE_LENGTH[f.level] : null}::integer, ${f.q || null}, ${TOTAL_BOUND}::integer) as n`;
  const n = row?.n ?? 0;
  return { n, exact: n < TOTAL_BOUND };
}
