import type { Sql } from "@zongzhi/db/client";
import type postgres from "postgres";

/**
 * Rows where the rollups the triggers keep (shards summed) differ from the rollups computed
 * afresh from the case tables (migration 0032's app.expected_* functions, 0081's for holdings).
 * Empty when in step.
 */
export async function rollupDrift(admin: Sql): Promise<string[]> {
  const rows = await admin<{ line: string }[]>`
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
    select format('monthly %s %s %s=%s kept %s fresh %s', coalesce(k.scope_code, f.scope_code), coalesce(k.month, f.month),
      coalesce(k.dim, f.dim), coalesce(k.value, f.value), k.v, f.v)
    from (select scope_code, month, dim, value, array[sum(received), sum(accepted), sum(resolved), sum(resolved_on_time),
            sum(resolved_village), sum(resolved_township), sum(resolved_county), sum(resolved_city), sum(resolved_province),
            sum(resolve_seconds), sum(closed), sum(closed_followed), sum(group_disputes), sum(people), sum(amount_cents),
            sum(follow_ups), sum(satisfied), sum(basically_satisfied), sum(unsatisfied), sum(escalations), sum(returns),
            sum(assignments)]::bigint[] as v
          from app.case_monthly group by 1, 2, 3, 4) k
    full join (select scope_code, month, dim, value, array[received, accepted, resolved, resolved_on_time, resolved_village,
            resolved_township, resolved_county, resolved_city, resolved_province, resolve_seconds, closed, closed_followed,
            group_disputes, people, amount_cents, follow_ups, satisfied, basically_satisfied, unsatisfied, escalations,
            returns, assignments]::bigint[] as v
          from app.expected_case_monthly()) f
      on (k.scope_code, k.month, k.dim, k.value) = (f.scope_code, f.month, f.dim, f.value)
    where coalesce(k.v, array_fill(0::bigint, array[22])) is distinct from coalesce(f.v, array_fill(0::bigint, array[22]))
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
    order by 1 limit 50`;
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

/** A unit's subtree month by month (China time), straight from the case tables. */
export async function directMonthly(admin: Sql, unit: string) {
  return admin<
    {
      month: string;
      received: number;
      accepted: number;
      resolved: number;
      closed: number;
      followUps: number;
      satisfied: number;
      escalations: number;
      returns: number;
    }[]
  >`with m as (
      select to_char(registered_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, 'received' as k from app.cases
        where starts_with(scope_code, ${unit})
      union all select to_char(accepted_at at time zone 'Asia/Shanghai', 'YYYY-MM'), 'accepted' from app.cases
        where starts_with(scope_code, ${unit}) and accepted_at is not null
      union all select to_char(resolved_at at time zone 'Asia/Shanghai', 'YYYY-MM'), 'resolved' from app.cases
        where starts_with(scope_code, ${unit}) and resolved_at is not null
      union all select to_char(closed_at at time zone 'Asia/Shanghai', 'YYYY-MM'), 'closed' from app.cases
        where starts_with(scope_code, ${unit}) and closed_at is not null
      union all select to_char(at at time zone 'Asia/Shanghai', 'YYYY-MM'), 'follow_up' from app.follow_ups
        where starts_with(scope_code, ${unit})
      union all select to_char(at at time zone 'Asia/Shanghai', 'YYYY-MM'), 'satisfied' from app.follow_ups
        where starts_with(scope_code, ${unit}) and satisfaction = 'satisfied'
      union all select to_char(at at time zone 'Asia/Shanghai', 'YYYY-MM'), kind from app.case_hops
        where starts_with(scope_code, ${unit}) and kind in ('escalate', 'return'))
    select month, count(*) filter (where k = 'received')::int as received, count(*) filter (where k = 'accepted')::int as accepted,
      count(*) filter (where k = 'resolved')::int as resolved, count(*) filter (where k = 'closed')::int as closed,
      count(*) filter (where k = 'follow_up')::int as "followUps", count(*) filter (where k = 'satisfied')::int as satisfied,
      count(*) filter (where k = 'escalate')::int as escalations, count(*) filter (where k = 'return')::int as returns
    from m group by 1 order by 1`;
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
