import type { Sql } from "@zongzhi/db/client";
import type postgres from "postgres";

/** The sums of app.figures_monthly (0040, 0041, 0085), in one order. */
const FIGURE_SUMS = [
  "received",
  "accepted",
  "resolved",
  "closed",
  "on_time",
  "followed_up",
  "satisfied",
  "escalated",
  "returns",
  "repeat_claims",
  "group_disputes",
  "group_people",
  "people",
  "amount_cents",
  "resolve_days_sum",
  "resolved_village",
  "resolved_township",
  "resolved_county",
  "resolved_above",
];

/**
 * Every case's facts computed afresh (app.case_fact, the one definition), added to its origin
 * unit's and every ancestor's bucket of its registration month, for every category ('') and its own.
 */
const FRESH_FACTS = `select a.code as unit, f.*, k.category from app.cases c
  cross join lateral app.case_fact(c.id) f
  cross join lateral app.ancestor_codes(f.scope_code) a (code)
  cross join lateral (values (''), (f.category_code)) k (category)`;
const FRESH_FIGURES = `select x.unit as scope_code, x.month, x.category, array[count(*), count(*) filter (where x.accepted),
    count(*) filter (where x.resolved), count(*) filter (where x.closed), count(*) filter (where x.on_time),
    count(*) filter (where x.followed_up), count(*) filter (where x.satisfied), count(*) filter (where x.escalated),
    sum(x.returns), count(*) filter (where x.repeat_claim), count(*) filter (where x.group_dispute),
    coalesce(sum(x.people) filter (where x.group_dispute), 0), sum(x.people), sum(x.amount_cents),
    coalesce(sum(x.resolve_days), 0), count(*) filter (where x.resolved_tier = 'village'),
    count(*) filter (where x.resolved_tier = 'township'), count(*) filter (where x.resolved_tier = 'county'),
    count(*) filter (where x.resolved_tier = 'above')]::bigint[] as v
  from (${FRESH_FACTS}) x group by 1, 2, 3`;
const FRESH_FIGURES_BY = `select x.unit as scope_code, x.month, x.category, d.dim, d.key,
    array[count(*), count(*) filter (where d.res)]::bigint[] as v
  from (${FRESH_FACTS}) x
  cross join lateral (values ('category', x.category_code, x.resolved), ('channel', x.channel::text, x.resolved),
    ('risk', x.risk_grade::text, x.resolved), ('days', x.resolve_days::text, true)) d (dim, key, res)
  where d.key is not null and (x.category = '' or d.dim <> 'category')
  group by 1, 2, 3, 4, 5`;

/**
 * Rows where the rollups the triggers keep (shards summed) differ from the rollups computed
 * afresh from the case tables (migration 0032's app.expected_* functions for the tallies and
 * clocks, 0081's for holdings, app.case_fact for the cockpit's figures, the timelines' reopenings
 * for the reworks). Empty when in step.
 */
export async function rollupDrift(admin: Sql): Promise<string[]> {
  const rows = await admin.unsafe<{ line: string }[]>(`
    with kept as (select scope_code, dim, value, sum(n) as n from app.case_tallies group by 1, 2, 3 having sum(n) <> 0),
      fresh as (select scope_code, dim, value, n from app.expected_case_tallies() where n <> 0)
    select format('tallies %s %s=%s kept %s fresh %s', coalesce(k.scope_code, f.scope_code), coalesce(k.dim, f.dim),
      coalesce(k.value, f.value), k.n, f.n) as line
    from kept k full join fresh f on (k.scope_code, k.dim, k.value) = (f.scope_code, f.dim, f.value)
    where k.n is distinct from f.n
    union all
    select format('clocks %s %s %s kept %s fresh %s', coalesce(k.scope_code, f.scope_code),
      coalesce(k.owner_code, f.owner_code), coalesce(k.colour, f.colour), k.n, f.n)
    from (select scope_code, owner_code, colour, sum(n) as n from app.clock_tallies group by 1, 2, 3 having sum(n) <> 0) k
    full join (select * from app.expected_clock_tallies() where n <> 0) f
      on (k.scope_code, k.owner_code, k.colour) = (f.scope_code, f.owner_code, f.colour)
    where k.n is distinct from f.n
    union all
    select format('clock units %s %s kept %s fresh %s', coalesce(k.scope_code, f.scope_code),
      coalesce(k.owner_code, f.owner_code), k.v, f.v)
    from (select scope_code, owner_code, array[sum(blue), sum(yellow), sum(red)]::bigint[] as v from app.clock_units
          group by 1, 2 having sum(blue) <> 0 or sum(yellow) <> 0 or sum(red) <> 0) k
    full join (select scope_code, owner_code, array[blue, yellow, red]::bigint[] as v from app.expected_clock_units()) f
      on (k.scope_code, k.owner_code) = (f.scope_code, f.owner_code)
    where k.v is distinct from f.v
    union all
    select format('figures %s %s %s kept %s fresh %s', coalesce(k.scope_code, f.scope_code), coalesce(k.month, f.month),
      coalesce(k.category, f.category), k.v, f.v)
    from (select scope_code, month, category, array[${FIGURE_SUMS.map((c) => `sum(${c})`).join(", ")}]::bigint[] as v
          from app.figures_monthly group by 1, 2, 3) k
    full join (${FRESH_FIGURES}) f on (k.scope_code, k.month, k.category) = (f.scope_code, f.month, f.category)
    where coalesce(k.v, array_fill(0::bigint, array[${FIGURE_SUMS.length}]))
      is distinct from coalesce(f.v, array_fill(0::bigint, array[${FIGURE_SUMS.length}]))
    union all
    select format('figures by %s %s %s %s:%s kept %s fresh %s', coalesce(k.scope_code, f.scope_code),
      coalesce(k.month, f.month), coalesce(k.category, f.category), coalesce(k.dim, f.dim), coalesce(k.key, f.key), k.v, f.v)
    from (select scope_code, month, category, dim, key, array[sum(cases), sum(resolved)]::bigint[] as v
          from app.figures_monthly_by group by 1, 2, 3, 4, 5) k
    full join (${FRESH_FIGURES_BY}) f
      on (k.scope_code, k.month, k.category, k.dim, k.key) = (f.scope_code, f.month, f.category, f.dim, f.key)
    where coalesce(k.v, array[0, 0]::bigint[]) is distinct from coalesce(f.v, array[0, 0]::bigint[])
    union all
    select format('reworks %s %s %s kept %s fresh %s', coalesce(k.scope_code, f.scope_code), coalesce(k.month, f.month),
      coalesce(k.category, f.category), k.n, f.n)
    from (select scope_code, month, category, sum(reworks) as n from app.rework_monthly group by 1, 2, 3) k
    full join (select a.code as scope_code, app.china_month(c.registered_at) as month, x.category, count(*) as n
          from app.case_events e join app.cases c on c.id = e.case_id
            cross join lateral app.ancestor_codes(c.scope_code) a (code)
            cross join lateral (values (''), (c.category_code)) x (category)
          where e.kind = 'case.reopen' group by 1, 2, 3) f
      on (k.scope_code, k.month, k.category) = (f.scope_code, f.month, f.category)
    where coalesce(k.n, 0) <> coalesce(f.n, 0)
    union all
    select format('holdings %s tier %s kept %s fresh %s', coalesce(k.scope_code, f.scope_code),
      coalesce(k.holder_len, f.holder_len), k.v, f.v)
    from (select scope_code, holder_len, array[sum(cases), sum(periods), sum(current), sum(closed_seconds),
            sum(open_from)]::numeric[] as v
          from app.holding_tallies group by 1, 2) k
    full join (select scope_code, holder_len, array[cases, periods, current, closed_seconds, open_from]::numeric[] as v
          from app.expected_holding_tallies()) f
      on (k.scope_code, k.holder_len) = (f.scope_code, f.holder_len)
    where coalesce(k.v, array_fill(0::numeric, array[5])) is distinct from coalesce(f.v, array_fill(0::numeric, array[5]))
    order by 1 limit 50`);
  return rows.map((r) => r.line);
}

/** A unit's subtree counted straight from the case tables, in the shape the overview services return. */
export async function directCounts(admin: Sql, unit: string) {
  const sub = admin`starts_with(c.scope_code, ${unit})`;
  const by = async (expr: postgres.PendingQuery<postgres.Row[]>) =>
    Object.fromEntries(
      (
        await admin<{ k: string; n: number }[]>`select ${expr} as k, count(*)::int as n from app.cases c where ${sub}
          group by 1`
      ).map((r) => [r.k, r.n]),
    ) as Record<string, number>;
  const level = admin`case length(c.scope_code) when 2 then 'province' when 4 then 'city' when 6 then 'county'
    when 9 then 'township' else 'village' end`;
  const tier = admin`case length(c.owner_code) when 2 then 'province' when 4 then 'city' when 6 then 'county'
    when 9 then 'township' else 'village' end`;
  const [x] = await admin<{ total: number; groups: number; closed: number; followed: number }[]>`select
      count(*)::int as total, count(*) filter (where c.group_dispute)::int as groups,
      count(*) filter (where c.status in ('closed', 'archived'))::int as closed,
      count(*) filter (where c.status in ('closed', 'archived')
        and exists (select 1 from app.follow_ups f where f.case_id = c.id))::int as followed
    from app.cases c where ${sub}`;
  return {
    unitCode: unit,
    total: x!.total,
    byState: await by(admin`c.status::text`),
    byColour:
      await by(admin`coalesce((select (array['blue', 'yellow', 'red'])[max(array_position(array['blue', 'yellow', 'red'],
      d.colour))] from app.case_deadlines d where d.case_id = c.id and d.completed_at is null and d.paused_since is null), 'none')`),
    byCategory: await by(admin`c.category_code`),
    byChannel: await by(admin`c.channel::text`),
    byRisk: await by(admin`c.risk_grade::text`),
    byTier: await by(tier),
    byLevel: await by(level),
    groupDisputes: x!.groups,
    closed: x!.closed,
    followedUp: x!.followed,
  };
}

/**
 * A unit's subtree by registration month (China time), the cockpit's cohorts (docs/figures.md),
 * written out by hand from the case tables: what the figures of those months must say.
 */
export async function directCohorts(admin: Sql, unit: string) {
  return admin<
    {
      month: string;
      received: number;
      accepted: number;
      resolved: number;
      closed: number;
      followedUp: number;
      satisfied: number;
      escalated: number;
      returns: number;
      groupDisputes: number;
      people: number;
      amountYuan: number;
      reworks: number;
    }[]
  >`select to_char(c.registered_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, count(*)::int as received,
      count(*) filter (where c.accepted_at is not null)::int as accepted,
      count(*) filter (where c.resolved_at is not null)::int as resolved,
      count(*) filter (where c.closed_at is not null or c.status in ('closed', 'archived'))::int as closed,
      count(*) filter (where exists (select 1 from app.follow_ups f where f.case_id = c.id))::int as "followedUp",
      count(*) filter (where (select f.satisfaction from app.follow_ups f where f.case_id = c.id
        order by f.at desc, f.id desc limit 1) in ('satisfied', 'basically_satisfied'))::int as satisfied,
      count(*) filter (where exists (select 1 from app.case_hops h where h.case_id = c.id and h.kind = 'escalate'))::int
        as escalated,
      coalesce(sum((select count(*) from app.case_hops h where h.case_id = c.id and h.kind = 'return')), 0)::int
        as returns,
      count(*) filter (where c.group_dispute)::int as "groupDisputes", sum(c.people_count)::int as people,
      coalesce(sum(c.amount_cents), 0)::float8 / 100 as "amountYuan",
      coalesce(sum((select count(*) from app.case_events e where e.case_id = c.id and e.kind = 'case.reopen')), 0)::int
        as reworks
    from app.cases c where starts_with(c.scope_code, ${unit})
    group by 1 order by 1`;
}

/** Running clocks by owner and colour in a unit's subtree, straight from the clocks. */
export async function directClockCounts(admin: Sql, unit: string) {
  return admin<{ unitCode: string; blue: number; yellow: number; red: number }[]>`select d.owner_code as "unitCode",
      count(*) filter (where d.colour = 'blue')::int as blue, count(*) filter (where d.colour = 'yellow')::int as yellow,
      count(*) filter (where d.colour = 'red')::int as red
    from app.case_deadlines d where starts_with(d.scope_code, ${unit}) and d.completed_at is null and d.paused_since is null
    group by 1 order by 1`;
}

/** How long each tier held a unit's subtree's cases, straight from the holding periods (the query the rollup replaced). */
export async function directHoldingByTier(admin: Sql, unit: string, now: Date) {
  return admin<{ len: number; cases: number; periods: number; current: number; hours: number }[]>`
    select length(h.holder_code) as len, count(distinct h.case_id)::int as cases, count(*)::int as periods,
      count(*) filter (where h.held_until is null)::int as current,
      coalesce(sum(extract(epoch from coalesce(h.held_until, ${now}::timestamptz) - h.held_from)), 0)::float8 / 3600 as hours
    from app.case_holdings h where starts_with(h.scope_code, ${unit})
    group by 1 order by 1`;
}
