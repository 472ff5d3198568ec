import type { Message } from "@zongzhi/domain";
import { z } from "zod";

/**
 * The shared input primitives. Every field of every procedure (and of the HTTP routes) is built
 * from these, so that a value the database cannot store never gets past validation: PostgreSQL
 * refuses NUL in text (22021), integers beyond 32 bits in `integer` columns (22003) and dates
 * outside its range (22008). `input-schemas.test.ts` walks every procedure's schema and fails on
 * a field that is not one of them.
 */

/** Which primitive a schema is; the schema walk in the tests reads this registry. */
export const primitives = z.registry<{ primitive: string }>();

/**
 * A bilingual message for a zod check. zod carries one message string per issue, so both
 * languages travel in it as JSON; `zodIssues` (errors.ts) unpacks them.
 */
export function say(zh: string, en: string): { error: string } {
  return { error: JSON.stringify({ zh, en } satisfies Message) };
}

/** Reads a message packed by {@link say}, or null. */
export function unpackMessage(message: string | undefined): Message | null {
  if (!message?.startsWith('{"zh":')) return null;
  try {
    const m = JSON.parse(message) as Message;
    return typeof m.zh === "string" && typeof m.en === "string" ? m : null;
  } catch {
    return null;
  }
}

function mark<T extends z.ZodType>(schema: T, primitive: string): T {
  primitives.add(schema, { primitive });
  return schema;
}

// C0 and C1 control characters (and DEL); multi-line text keeps tab, line feed and carriage
// return. Lone UTF-16 surrogates are refused too: they are not text, and the driver would
// silently replace them.
// (\p{Cc} is exactly U+0000–U+001F and U+007F–U+009F.)
const CONTROL = /\p{Cc}|\p{Cs}/u;
const CONTROL_BUT_BREAKS = /(?![\t\n\r])\p{Cc}|\p{Cs}/u;

function textOf(max: number, min: number, allowed: RegExp, noControl: Message) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((v) => !allowed.test(v), say(noControl.zh, noControl.en));
}

/** Single-line text (names, titles, search terms): trimmed, `min`–`max` characters, no control characters. */
export function text(max: number, options: { min?: number } = {}) {
  return mark(
    textOf(max, options.min ?? 1, CONTROL, {
      zh: "不能包含控制字符或换行",
      en: "must not contain control characters or line breaks",
    }),
    "text",
  );
}

/** Multi-line text (descriptions, notes): like {@link text}, but tab and line breaks are kept. */
export function longText(max: number, options: { min?: number } = {}) {
  return mark(
    textOf(max, options.min ?? 1, CONTROL_BUT_BREAKS, {
      zh: "不能包含控制字符",
      en: "must not contain control characters",
    }),
    "text",
  );
}

/** A secret as typed (a password, a one-time code): not trimmed, `min`–`max` characters, no control characters. */
export function secret(max: number, options: { min?: number } = {}) {
  return mark(
    z
      .string()
      .min(options.min ?? 1)
      .max(max)
      .refine((v) => !CONTROL.test(v), say("不能包含控制字符", "must not contain control characters")),
    "secret",
  );
}

/**
 * A string of a fixed shape (codes, login names), refused with the given message when it does
 * not match; `normalise` trims and lower-cases it first (what users type into a login field).
 */
export function pattern(regex: RegExp, zh: string, en: string, options: { max?: number; normalise?: boolean } = {}) {
  const base = z.string().max(options.max ?? 200);
  return mark((options.normalise ? base.trim().toLowerCase() : base).regex(regex, say(zh, en)), "pattern");
}

/** Largest value of PostgreSQL's `integer` (and of a 32-bit signed integer). */
export const INT32_MAX = 2 ** 31 - 1;

/** A whole number that fits PostgreSQL's `integer`: `min`–`max` (both inside 32 bits). */
export function int32(options: { min?: number; max?: number } = {}) {
  const { min = 0, max = INT32_MAX } = options;
  if (min < -(2 ** 31) || max > INT32_MAX) throw new RangeError("int32 bounds must fit 32 bits");
  return mark(z.number().int().min(min).max(max), "int32");
}

/** A row's version for optimistic concurrency (an `integer` column starting at 1). */
export const version = () => int32({ min: 1 });

/** An id of a `bigint` identity column (notifications, audit events): 1 up to 2^53 − 1. */
export function serialId() {
  return mark(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), "serialId");
}

/** A finite number with bounds (an amount, a share); NaN and infinities are refused. */
export function decimal(options: { min: number; max: number; exclusive?: boolean }) {
  const n = options.exclusive
    ? z.number().gt(options.min).lt(options.max)
    : z.number().min(options.min).max(options.max);
  return mark(n, "decimal");
}

/** The id of a row (a UUID). */
export function id() {
  return mark(z.uuid(), "uuid");
}

/**
 * The range of dates and instants the product accepts: 1900-01-01 to 2199-12-31 (UTC). Why:
 * far inside both PostgreSQL's (4713 BC–294276 AD) and JavaScript's (±275760 years) ranges, so
 * that year 0 or JavaScript's minimum date never reach the database; it covers every real record
 * here (the oldest living party was born after 1900; no plan or deadline runs to 2200); and it
 * keeps working-day arithmetic on the official calendar bounded.
 */
export const DATE_RANGE = { min: "1900-01-01", max: "2199-12-31" } as const;
const MIN_INSTANT = new Date(`${DATE_RANGE.min}T00:00:00Z`);
const MAX_INSTANT = new Date(`${DATE_RANGE.max}T23:59:59.999Z`);
const RANGE_MESSAGE = {
  zh: `日期须在 ${DATE_RANGE.min} 至 ${DATE_RANGE.max} 之间`,
  en: `a date between ${DATE_RANGE.min} and ${DATE_RANGE.max}`,
};

/** The keyset cursor of a page (`<ISO 8601 instant>|<uuid>`, as the previous page returned it). */
export function keysetCursor() {
  const message = say("分页位置无效，请从第一页重新开始", "invalid page cursor; start again from the first page");
  return mark(
    z
      .string()
      .max(80)
      .regex(
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z\|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
        message,
      )
      .refine((v) => {
        const at = Date.parse(v.slice(0, v.indexOf("|")));
        return at >= MIN_INSTANT.getTime() && at <= MAX_INSTANT.getTime();
      }, message),
    "cursor",
  );
}

/** A point in time (sent as a Date by the client) inside {@link DATE_RANGE}. */
export function instant() {
  return mark(
    z
      .date(say("应为有效的日期时间", "a valid date and time"))
      .min(MIN_INSTANT, say(RANGE_MESSAGE.zh, RANGE_MESSAGE.en))
      .max(MAX_INSTANT, say(RANGE_MESSAGE.zh, RANGE_MESSAGE.en)),
    "instant",
  );
}

/** A calendar day as `YYYY-MM-DD` (a real day) inside {@link DATE_RANGE}. */
export function isoDate() {
  return mark(
    z.iso
      .date(say("日期格式应为 YYYY-MM-DD", "a date as YYYY-MM-DD"))
      .refine((v) => v >= DATE_RANGE.min && v <= DATE_RANGE.max, say(RANGE_MESSAGE.zh, RANGE_MESSAGE.en)),
    "isoDate",
  );
}

/** An object that refuses keys it does not name (the refusal names them). */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape);
}

/** The input of a procedure that takes none: nothing, or an empty object (anything else is refused). */
export const noInput = () => z.strictObject({}).optional();
