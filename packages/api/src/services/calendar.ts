import type { Tx } from "@zongzhi/db/client";
import { calendarDays, refDivisions } from "@zongzhi/db/schema";
import {
  ancestorCodesOf,
  type CheckedCalendar,
  calendarGaps,
  disagreement,
  hasNationalData,
  INSTALLATION_CODE,
  type IsoDate,
  nationalDaysOf,
  notFound,
  withOverrides,
} from "@zongzhi/domain";
import { and, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { CalendarEntry, CalendarYear } from "../schemas/config-views.ts";
import { authorizeFor } from "./actor.ts";

/** A computation that reached a year without calendar data (the server logs it as a warning). */
export interface CalendarGap {
  unitCode: string;
  /** The first date without data. */
  date: IsoDate;
  requestId: string | null;
}

let gapListener: (gap: CalendarGap) => void = () => {};

/** Who hears of calendar gaps: the server registers its logger once (a warning per gap). */
export function onCalendarGap(listener: (gap: CalendarGap) => void): void {
  gapListener = listener;
}

/**
 * Tells the listener of each year from `from` to `to` that `calendar` has no data for: a date
 * computed across it counts that year's holidays as working days.
 */
export function reportCalendarGaps(
  tx: Tx,
  unitCode: string,
  from: IsoDate,
  to: IsoDate,
  calendar: CheckedCalendar,
): void {
  for (const date of calendarGaps(from, to, calendar)) {
    gapListener({ unitCode, date, requestId: tx.ctx.requestId ?? null });
  }
}

/** The unit and its ancestors, nearest first (whose entries hold for the unit). */
const pathOf = (unitCode: string) => [unitCode, ...ancestorCodesOf(unitCode).reverse()];

/**
 * The calendar a unit counts working days on: its own and its ancestors' entries (nearest unit
 * first) over the package. Why it matters: a deadline of "3 working days" at 2027's Spring
 * Festival is wrong by a week without the entries (the package has no 2027 data).
 */
export async function unitCalendar(tx: Tx, unitCode: string): Promise<CheckedCalendar> {
  if (unitCode === INSTALLATION_CODE) return withOverrides([]);
  const path = pathOf(unitCode);
  const rows = await tx.db
    .select({
      date: calendarDays.day,
      workday: calendarDays.workday,
      name: calendarDays.name,
      scope_code: calendarDays.scopeCode,
    })
    .from(calendarDays)
    .where(inArray(calendarDays.scopeCode, path));
  return calendarOf(unitCode, rows);
}

/** One calendar entry of a unit's path, as stored. */
interface CalendarRow {
  date: string;
  workday: boolean;
  name: string | null;
  scope_code: string;
}

/**
 * The calendar of `unitCode` from the entries of its path read elsewhere (app.intake_open
 * returns them with the intake's first statement, migration 0082): the nearest unit's entry wins.
 */
export function calendarOf(unitCode: string, entries: readonly CalendarRow[]): CheckedCalendar {
  const path = pathOf(unitCode);
  const rank = (code: string) => path.indexOf(code);
  return withOverrides([...entries].sort((a, b) => rank(a.scope_code) - rank(b.scope_code)));
}

/** One entry as the calendar page shows it (schemas/config-views.ts). */
export type { CalendarEntry };

/** A year of the calendar for the caller's unit: the package's holidays and make-up days, and the entries in force. */
export async function calendarYear(tx: Tx, year: number): Promise<CalendarYear> {
  const path = pathOf(tx.ctx.scope);
  const rows = await tx.db
    .select({
      id: calendarDays.id,
      scope_code: calendarDays.scopeCode,
      unit_name: refDivisions.name,
      date: calendarDays.day,
      workday: calendarDays.workday,
      name: calendarDays.name,
      note: calendarDays.note,
      version: calendarDays.version,
    })
    .from(calendarDays)
    .leftJoin(refDivisions, eq(refDivisions.code, calendarDays.scopeCode))
    .where(
      and(
        inArray(calendarDays.scopeCode, path),
        // The year's days (a year of 2000–2100 is four digits: its first day is `YYYY-01-01`).
        gte(calendarDays.day, `${year}-01-01`),
        lt(calendarDays.day, `${year + 1}-01-01`),
      ),
    )
    .orderBy(calendarDays.day, desc(sql`length(${calendarDays.scopeCode})`));
  return {
    year,
    nationalData: hasNationalData(year),
    national: nationalDaysOf(year),
    entries: rows.map((r) => ({
      id: r.id,
      scopeCode: r.scope_code,
      unitName: r.unit_name,
      date: r.date,
      workday: r.workday,
      name: r.name,
      note: r.note,
      version: r.version,
      own: r.scope_code === tx.ctx.scope,
      disagreement: disagreement(r),
    })),
  };
}

/** One day as a unit enters it. */
export interface CalendarDayInput {
  date: IsoDate;
  workday: boolean;
  name?: string | null | undefined;
  note?: string | null | undefined;
}

/**
 * Enters days into the caller's own unit's calendar (a year's notice at once, or one local
 * adjustment): a date already entered is replaced. Only the unit's administrator, at home.
 */
export async function setCalendarDays(tx: Tx, days: readonly CalendarDayInput[]): Promise<{ saved: number }> {
  authorizeFor(tx, "calendar.manage", tx.ctx.scope);
  for (const d of days) {
    const name = d.workday ? null : d.name?.trim() || null;
    // An upsert that bumps the version of a replaced entry: kept as SQL.
    await tx.sql`insert into app.calendar_days (day, workday, name, note, created_by)
      values (${d.date}, ${d.workday}, ${name}, ${d.note?.trim() || null}, ${tx.ctx.userId})
      on conflict (scope_code, day) do update set workday = excluded.workday, name = excluded.name,
        note = excluded.note, version = app.calendar_days.version + 1`;
  }
  return { saved: days.length };
}

/** Removes an entry of the caller's own unit (the package, or an ancestor's entry, holds again). */
export async function removeCalendarDay(tx: Tx, id: string): Promise<{ id: string }> {
  const [row] = await tx.db
    .select({ scopeCode: calendarDays.scopeCode })
    .from(calendarDays)
    .where(eq(calendarDays.id, id));
  if (!row) throw notFound({ zh: "日历调整", en: "calendar entry" });
  authorizeFor(tx, "calendar.manage", row.scopeCode);
  await tx.db.delete(calendarDays).where(eq(calendarDays.id, id));
  return { id };
}
