// Date arithmetic in China time, with no calendar data: safe for the UI bundle. The official
// working-day calendar (holidays, make-up workdays) is calendar.ts.

/** A calendar date as `YYYY-MM-DD` (China Standard Time; no time of day). */
export type IsoDate = string;

/** China Standard Time is UTC+8 all year (no daylight saving). */
export const CHINA_UTC_OFFSET_MS = 8 * 3_600_000;

/** The calendar date in China of an instant, whatever the machine's time zone. */
export function chinaDate(at: Date): IsoDate {
  return new Date(at.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** Today's date in China (UTC+8). */
export function chinaToday(now: Date = new Date()): IsoDate {
  return chinaDate(now);
}

/** This month in China, `YYYY-MM`. */
export function chinaMonth(now: Date = new Date()): string {
  return chinaDate(now).slice(0, 7);
}

/** Midnight in China at the start of `date`. */
export function startOfChinaDay(date: IsoDate): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_UTC_OFFSET_MS);
}

/** 23:59:59.999 in China at the end of `date`. */
export function endOfChinaDay(date: IsoDate): Date {
  return new Date(startOfChinaDay(date).getTime() + 86_400_000 - 1);
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

/** True for a well-formed, real calendar date. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  // Month 13 or day 32 is an Invalid Date, whose toISOString throws.
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
