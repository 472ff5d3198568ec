import type { Tx } from "@zongzhi/db/client";
import { patrols } from "@zongzhi/db/schema";
import { AppError, addDays, chinaToday, MAX_PATROL_SPEED_MPS, trackLengthMetres } from "@zongzhi/domain";
import { countyOf } from "@zongzhi/domain/division";
import { authorizeFor } from "./actor.ts";

/** A patrol norm: per day minutes and metres, per week events, and on how many days a week. */
export interface PatrolNorm {
  minutesPerDay: number;
  metresPerDay: number;
  eventsPerWeek: number;
  daysPerWeek: number;
  /** The unit whose norm it is (null: the built-in default). */
  scopeCode: string | null;
  version: number | null;
}

/** Yumen's "235": 2 hours and 3 km a day (on 5 days), at least 5 events a week. */
export const DEFAULT_NORM: PatrolNorm = {
  minutesPerDay: 120,
  metresPerDay: 3000,
  eventsPerWeek: 5,
  daysPerWeek: 5,
  scopeCode: null,
  version: null,
};

/** The norm in force for a unit: its own, or the nearest unit's above, or the default. */
export async function normFor(tx: Tx, scope: string): Promise<PatrolNorm> {
  const [row] = await tx.sql<PatrolNorm[]>`select minutes_per_day as "minutesPerDay", metres_per_day as "metresPerDay",
      events_per_week as "eventsPerWeek", days_per_week as "daysPerWeek", scope_code as "scopeCode", version
    from app.patrol_norms where starts_with(${scope}, scope_code) order by length(scope_code) desc limit 1`;
  return row ?? DEFAULT_NORM;
}

/** Sets the caller's unit's norm (its units below follow it unless they set their own). */
export async function setPatrolNorm(
  tx: Tx,
  input: { minutesPerDay: number; metresPerDay: number; eventsPerWeek: number; daysPerWeek: number },
): Promise<PatrolNorm> {
  authorizeFor(tx, "patrol.norm", tx.ctx.scope);
  await tx.sql`insert into app.patrol_norms (minutes_per_day, metres_per_day, events_per_week, days_per_week)
    values (${input.minutesPerDay}, ${input.metresPerDay}, ${input.eventsPerWeek}, ${input.daysPerWeek})
    on conflict (scope_code) do update set minutes_per_day = excluded.minutes_per_day,
      metres_per_day = excluded.metres_per_day, events_per_week = excluded.events_per_week,
      days_per_week = excluded.days_per_week, version = app.patrol_norms.version + 1`;
  return normFor(tx, tx.ctx.scope);
}

/** Longest patrol distance a record may carry (the table's limit). */
const MAX_PATROL_METRES = 200_000;

/**
 * The distance of a patrol: measured along its track when the phone recorded one (the sum of
 * the great-circle distances between its points; the number the client sent is not used), or
 * the distance the worker stated. A track longer than a patrol can be, or faster than anyone
 * patrols, is refused.
 */
export function patrolDistance(input: {
  startedAt: Date;
  endedAt: Date;
  distanceMetres?: number | undefined;
  track?: { coordinates: number[][] } | null | undefined;
}): number {
  if (!input.track) return input.distanceMetres ?? 0;
  const metres = trackLengthMetres(input.track.coordinates);
  const seconds = (input.endedAt.getTime() - input.startedAt.getTime()) / 1000;
  if (metres > MAX_PATROL_METRES || metres > seconds * MAX_PATROL_SPEED_MPS) {
    throw new AppError(
      "VALIDATION",
      {
        zh: `轨迹里程 ${(metres / 1000).toFixed(1)} 公里与巡查时长不符（最多200公里、平均时速不超过${MAX_PATROL_SPEED_MPS * 3.6}公里）`,
        en: `The track's ${(metres / 1000).toFixed(1)} km does not fit the patrol's time (at most 200 km, at most ${MAX_PATROL_SPEED_MPS * 3.6} km/h on average)`,
      },
      { fields: [{ path: "track", zh: "轨迹与巡查时长不符", en: "the track does not fit the patrol's time" }] },
    );
  }
  return metres;
}

/** Records a patrol of the signed-in grid worker (its own worker record, of its unit or one above). */
export async function recordPatrol(
  tx: Tx,
  input: {
    gridId?: string | null | undefined;
    startedAt: Date;
    endedAt: Date;
    distanceMetres?: number | undefined;
    eventsFound: number;
    track?: { type: "LineString"; coordinates: number[][] } | null | undefined;
  },
): Promise<{ id: string; distanceMetres: number }> {
  authorizeFor(tx, "patrol.record", tx.ctx.scope);
  const distance = patrolDistance(input);
  const [worker] = await tx.sql<{ id: string }[]>`select id from app.grid_workers
    where user_id = ${tx.ctx.userId} and active order by length(scope_code) desc limit 1`;
  if (!worker) {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "您的账号尚未登记为网格员，请联系管理员",
      en: "Your account is not registered as a grid worker; ask an administrator",
    });
  }
  const [row] = await tx.db
    .insert(patrols)
    .values({
      // The patrol is the caller's unit's (scope_code defaults to it), so in its county.
      countyCode: countyOf(tx.ctx.scope),
      workerId: worker.id,
      gridId: input.gridId ?? null,
      startedAt: input.startedAt,
      endedAt: input.endedAt,
      distanceM: distance,
      eventsFound: input.eventsFound,
      track: input.track ?? null,
      createdBy: tx.ctx.userId,
    })
    .returning({ id: patrols.id, distanceMetres: patrols.distanceM });
  return row!;
}

/** One worker's week against the norm (for the grid leader and the township). */
export interface PatrolFigures {
  workerId: string;
  name: string;
  scopeCode: string;
  patrols: number;
  minutes: number;
  metres: number;
  events: number;
  /** Days of the week on which both the daily minutes and metres were reached. */
  daysMet: number;
  meetsNorm: boolean;
}

/**
 * Each grid worker of the unit's subtree in the week (Monday to Sunday, China time) that
 * contains `day`, with the norm in force for the unit.
 */
export async function patrolFigures(
  tx: Tx,
  input: { day?: string | undefined },
): Promise<{ weekOf: string; norm: PatrolNorm; workers: PatrolFigures[] }> {
  const day = input.day ?? chinaToday();
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  const monday = addDays(day, -weekday);
  const norm = await normFor(tx, tx.ctx.scope);
  const rows = await tx.sql<Omit<PatrolFigures, "meetsNorm">[]>`
    with days as (
      select p.worker_id, (p.started_at at time zone 'Asia/Shanghai')::date as d, count(*)::int as n,
        sum(extract(epoch from p.ended_at - p.started_at) / 60)::int as minutes, sum(p.distance_m)::int as metres,
        sum(p.events_found)::int as events
      from app.patrols p
      where p.started_at >= (${monday}::date::timestamp at time zone 'Asia/Shanghai')
        and p.started_at < ((${monday}::date + 7)::timestamp at time zone 'Asia/Shanghai')
      group by 1, 2)
    select w.id as "workerId", w.name, w.scope_code as "scopeCode", coalesce(sum(d.n), 0)::int as patrols,
      coalesce(sum(d.minutes), 0)::int as minutes, coalesce(sum(d.metres), 0)::int as metres,
      coalesce(sum(d.events), 0)::int as events,
      count(d.d) filter (where d.minutes >= ${norm.minutesPerDay} and d.metres >= ${norm.metresPerDay})::int as "daysMet"
    from app.grid_workers w left join days d on d.worker_id = w.id
    where w.active and w.scope_code >= ${tx.ctx.scope} and w.scope_code < ${`${tx.ctx.scope}:`}
    group by w.id, w.name, w.scope_code order by w.scope_code, w.name`;
  return {
    weekOf: monday,
    norm,
    workers: rows.map((r) => ({
      ...r,
      meetsNorm: r.daysMet >= norm.daysPerWeek && r.events >= norm.eventsPerWeek,
    })),
  };
}
