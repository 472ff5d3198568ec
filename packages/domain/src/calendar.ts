import chineseDays from "chinese-days";
import { addDays, chinaDate, endOfChinaDay, type IsoDate, isoWeekday } from "./dates.ts";
import type { DeadlineAmount } from "./deadlines.ts";

// The package ships minified CommonJS: Node sees only a default export (bundlers see named ones).
const { getDayDetail, isWorkday } = chineseDays;

/** What the official calendar says about one day. */
export interface DayInfo {
  date: IsoDate;
  /** A working day: Monday–Friday that is not a holiday, or a make-up workday (调休). */
  workday: boolean;
  /** A weekend day that is worked to make up for a holiday (调休上班). */
  makeUpWorkday: boolean;
  /** The holiday's Chinese name (国庆节, 春节 …) when the day is a public holiday. */
  holiday: string | null;
}

/** The official working-day calendar (from the `chinese-days` package, with 调休). */
export interface WorkCalendar {
  day(date: IsoDate): DayInfo;
}

/** The People's Republic of China's official calendar, holidays and make-up workdays included. */
export const chinaCalendar: WorkCalendar = {
  day(date) {
    const workday = isWorkday(date);
    const weekend = isoWeekday(date) >= 6;
    // getDayDetail names a holiday "National Day,国庆节,3"; ordinary days are named by weekday.
    const parts = getDayDetail(date).name.split(",");
    const holiday = !workday && parts.length >= 2 ? (parts[1] ?? null) : null;
    return { date, workday, makeUpWorkday: workday && weekend, holiday };
  },
};

/**
 * When a deadline started at `start` falls due.
 * - hours: elapsed clock time (the 8-hour objection window);
 * - calendar_days: the end of the Nth day after the start date (China time);
 * - working_days: the end of the Nth working day after the start date on the official
 *   calendar — holidays skipped, make-up workdays (调休) counted. A case registered on the
 *   Wednesday before National Day with 3 working days is due at the end of the first
 *   working day after the holiday, not on the holiday.
 * Paused time (waiting for a party) is added on top.
 */
export function dueAt(start: Date, amount: DeadlineAmount, pausedMs = 0, calendar: WorkCalendar = chinaCalendar): Date {
  let due: Date;
  if (amount.unit === "hours") {
    due = new Date(start.getTime() + amount.amount * 3_600_000);
  } else if (amount.unit === "calendar_days") {
    due = endOfChinaDay(addDays(chinaDate(start), amount.amount));
  } else {
    let date = chinaDate(start);
    let left = amount.amount;
    while (left > 0) {
      date = addDays(date, 1);
      if (calendar.day(date).workday) left--;
    }
    due = endOfChinaDay(date);
  }
  return new Date(due.getTime() + pausedMs);
}

/** A unit's own entry in the official calendar (节假日调整): a holiday or a worked day on one date. */
export interface CalendarOverride {
  date: IsoDate;
  workday: boolean;
  /** The holiday's name (春节 …) for a day off; null for a make-up workday or a plain adjustment. */
  name: string | null;
}

const nationalYears = new Map<number, boolean>();

/**
 * Does the `chinese-days` package know the State Council's holidays of `year`? It has no data
 * for a year not yet announced (1.5.7 ends with 2026): without it every weekday counts as a
 * working day, silently. Known when the year has at least one holiday.
 */
export function hasNationalData(year: number): boolean {
  let known = nationalYears.get(year);
  if (known === undefined) {
    known = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    nationalYears.set(year, known);
  }
  return known;
}

/** The calendar that says, besides each day, whether it rests on data at all. */
export interface CheckedCalendar extends WorkCalendar {
  /** True when the date's year has national data or entries of the unit (or its ancestors). */
  known(date: IsoDate): boolean;
}

/**
 * The official calendar with a unit's entries on top: an entry wins over the package for its
 * date, and a year the package does not know counts as known once any entry exists in it (the
 * operator has entered that year's notice). `overrides` are the unit's and its ancestors',
 * nearest unit first; the first entry of a date wins.
 */
export function withOverrides(
  overrides: readonly CalendarOverride[],
  base: WorkCalendar = chinaCalendar,
): CheckedCalendar {
  const byDate = new Map<IsoDate, CalendarOverride>();
  for (const o of overrides) if (!byDate.has(o.date)) byDate.set(o.date, o);
  const enteredYears = new Set([...byDate.keys()].map((d) => Number(d.slice(0, 4))));
  return {
    day(date) {
      const o = byDate.get(date);
      if (!o) return base.day(date);
      const weekend = isoWeekday(date) >= 6;
      return { date, workday: o.workday, makeUpWorkday: o.workday && weekend, holiday: o.workday ? null : o.name };
    },
    known(date) {
      const year = Number(date.slice(0, 4));
      return hasNationalData(year) || enteredYears.has(year);
    },
  };
}

/** The official calendar alone, with its gaps. */
export const checkedChinaCalendar: CheckedCalendar = withOverrides([]);

/** The dates from `from` to `to` (inclusive) that have no calendar data: at most the first of each year. */
export function calendarGaps(from: IsoDate, to: IsoDate, calendar: CheckedCalendar): IsoDate[] {
  const gaps: IsoDate[] = [];
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    const first = year === Number(from.slice(0, 4)) ? from : `${year}-01-01`;
    if (!calendar.known(first)) gaps.push(first);
  }
  return gaps;
}

/** Why an entry disagrees with the national calendar, for the warning beside it. */
export type Disagreement = "national_holiday_worked" | "national_workday_off" | "no_national_data";

/**
 * How an entry stands against the package: null when it agrees (or restates it), otherwise why
 * it deserves a second look — a national holiday made a working day, a national working day
 * (a make-up day included) given off, or a year the package does not know at all.
 */
export function disagreement(entry: CalendarOverride, base: WorkCalendar = chinaCalendar): Disagreement | null {
  if (!hasNationalData(Number(entry.date.slice(0, 4)))) return "no_national_data";
  const national = base.day(entry.date);
  if (national.workday === entry.workday) return null;
  return entry.workday ? "national_holiday_worked" : "national_workday_off";
}

/** The package's holidays and make-up workdays of a year (empty for a year it does not know), in date order. */
export function nationalDaysOf(year: number): CalendarOverride[] {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const off = chineseDays
    .getHolidaysInRange(from, to, false)
    .map((date) => ({ date, workday: false, name: chinaCalendar.day(date).holiday }));
  const worked = chineseDays
    .getWorkdaysInRange(from, to, true)
    .filter((date) => chinaCalendar.day(date).makeUpWorkday)
    .map((date) => ({ date, workday: true, name: null }));
  return [...off, ...worked].sort((a, b) => a.date.localeCompare(b.date));
}
