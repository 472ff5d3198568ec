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
