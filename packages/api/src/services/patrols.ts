import type { Tx } from "@zongzhi/db/client";
import { gridWorkers, patrolNorms, patrols } from "@zongzhi/db/schema";
import { AppError, addDays, chinaToday, MAX_PATROL_SPEED_MPS, trackLengthMetres } from "@zongzhi/domain";
import { countyOf } from "@zongzhi/domain/division";
import { and, desc, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { patrolNormView, patrolWeek, patrolWorkerFigures, recordedPatrol } from "../schemas/grids.ts";
import { authorizeFor } from "./actor.ts";

/** A patrol norm: per day minutes and metres, per week events, and on how many days a week. */
export type PatrolNorm = z.output<typeof patrolNormView>;

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
  const [row] = await tx.db
    .select({
      minutesPerDay: patrolNorms.minutesPerDay,
      metresPerDay: patrolNorms.metresPerDay,
      eventsPerWeek: patrolNorms.eventsPerWeek,
      daysPerWeek: patrolNorms.daysPerWeek,
      scopeCode: patrolNorms.scopeCode,
      version: patrolNorms.version,
    })
    .from(patrolNorms)
    .where(sql`starts_with(${scope}, ${patrolNorms.scopeCode})`)
    .orderBy(desc(sql`length(${patrolNorms.scopeCode})`))
    .limit(1);
  return row ?? DEFAULT_NORM;
}

/** Sets the caller's unit's norm (its units below follow it unless they set their own). */
export async function setPatrolNorm(
  tx: Tx,
  input: { minutesPerDay: number; metresPerDay: number; eventsPerWeek: number; daysPerWeek: number },
): Promise<PatrolNorm> {
  authorizeFor(tx, "patrol.norm", tx.ctx.scope);
  await tx.db
    .insert(patrolNorms)
    .values({
      minutesPerDay: input.minutesPerDay,
      metresPerDay: input.metresPerDay,
      eventsPerWeek: input.eventsPerWeek,
      daysPerWeek: input.daysPerWeek,
    })
    .onConflictDoUpdate({
      target: patrolNorms.scopeCode,
      set: {
        minutesPerDay: sql`excluded.minutes_per_day`,
        metresPerDay: sql`excluded.metres_per_day`,
        eventsPerWeek: sql`excluded.events_per_week`,
        daysPerWeek: sql`excluded.days_per_week`,
        version: sql`${patrolNorms.version} + 1`,
      },
    });
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
): Promise<z.output<typeof recordedPatrol>> {
  authorizeFor(tx, "patrol.record", tx.ctx.scope);
  const distance = patrolDistance(input);
  const [worker] = await tx.db
    .select({ id: gridWorkers.id })
    .from(gridWorkers)
    .where(and(eq(gridWorkers.userId, tx.ctx.userId ?? sql`null`), eq(gridWorkers.active, true)))
    .orderBy(desc(sql`length(${gridWorkers.scopeCode})`))
    .limit(1);
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
export type PatrolFigures = z.output<typeof patrolWorkerFigures>;

/**
 * Each grid worker of the unit's subtree in the week (Monday to Sunday, China time) that
 * contains `day`, with the norm in force for the unit.
 */
export async function patrolFigures(tx: Tx, input: { day?: string | undefined }): Promise<z.output<typeof patrolWeek>> {
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
