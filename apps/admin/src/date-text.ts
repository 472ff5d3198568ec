import { addDays, isIsoDate, isoWeekday } from "@zongzhi/domain/dates";

// What the date fields (ui/date-field.tsx) accept and show, without the browser's language.

/** The kinds of date and time a field takes, with the value format of the native input of that type. */
export type DateKind = "date" | "datetime-local" | "time" | "month";

const PATTERNS: Record<DateKind, RegExp> = {
  date: /^(\d{4})-(\d{2})-(\d{2})$/,
  "datetime-local": /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/,
  time: /^(\d{2}):(\d{2})$/,
  month: /^(\d{4})-(\d{2})$/,
};

const validTime = (h: string, m: string) => Number(h) < 24 && Number(m) < 60;

/**
 * The value of the native input of that kind (2026-12-01, 2026-12-01T09:30, 09:30, 2026-12)
 * for what was typed, or "" when it is incomplete or no such date, as a native input reports.
 */
export function parseDateText(kind: DateKind, text: string): string {
  const value = text.trim().replace(/\//g, "-");
  const m = PATTERNS[kind].exec(value);
  if (!m) return "";
  switch (kind) {
    case "date":
      return isIsoDate(value) ? value : "";
    case "datetime-local": {
      const day = value.slice(0, 10);
      return isIsoDate(day) && validTime(m[4]!, m[5]!) ? `${day}T${m[4]}:${m[5]}` : "";
    }
    case "time":
      return validTime(m[1]!, m[2]!) ? value : "";
    case "month":
      return Number(m[2]) >= 1 && Number(m[2]) <= 12 ? value : "";
  }
}

/** How a native value is shown: the same, with a space instead of the T of a date and time. */
export const dateText = (value: string) => value.replace("T", " ");

/** The days of a month's calendar page, weeks from Monday (null for the blanks before the 1st). */
export function monthGrid(month: string): (string | null)[] {
  const first = `${month}-01`;
  const blanks = isoWeekday(first) - 1;
  const days: (string | null)[] = Array.from({ length: blanks }, () => null);
  for (let d = first; d.startsWith(month); d = addDays(d, 1)) days.push(d);
  return days;
}

/** The month `by` months after `month` (YYYY-MM). */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}
