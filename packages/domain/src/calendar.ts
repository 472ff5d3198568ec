import chineseDays from "chinese-days";

// The package ships minified CommonJS: Node sees only a default export (bundlers see named ones).
const { getDayDetail, isWorkday } = chineseDays;

/** A calendar date as `YYYY-MM-DD` (China Standard Time; no time of day). */
export type IsoDate = string;

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

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/** The date `days` after `date` (negative for before). */
export function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `a` to `b`. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The Monday of the week containing `date`. */
export function mondayOf(date: IsoDate): IsoDate {
  return addDays(date, 1 - isoWeekday(date));
}

/** Today's date in China (UTC+8), whatever the server's time zone. */
export function chinaToday(now: Date = new Date()): IsoDate {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** True for a well-formed, real calendar date. */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
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
