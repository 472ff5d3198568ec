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

/**
 * A whole number that fits PostgreSQL's `integer`: `min`–`max` (both inside 32 bits). `message`
 * (zh, en) words every refusal of it at once (not a number, not whole, out of range).
 */
export function int32(options: { min?: number; max?: number; message?: Message } = {}) {
  const { min = 0, max = INT32_MAX, message } = options;
  if (min < -(2 ** 31) || max > INT32_MAX) throw new RangeError("int32 bounds must fit 32 bits");
  const m = message ? say(message.zh, message.en) : undefined;
  return mark(z.number(m).int(m).min(min, m).max(max, m), "int32");
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

/**
 * A calendar month as `YYYY-MM` inside {@link DATE_RANGE}: the cockpit's periods, the bulletin's
 * month and the ledgers' ranges. The range matters because the figures also read the month
 * before and the same month a year earlier, which must still be a date PostgreSQL takes.
 */
export function isoMonth() {
  const min = DATE_RANGE.min.slice(0, 7);
  const max = DATE_RANGE.max.slice(0, 7);
  return mark(
    z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, say("月份格式应为 YYYY-MM", "a month is YYYY-MM"))
      .refine((v) => v >= min && v <= max, say(`月份须在 ${min} 至 ${max} 之间`, `a month between ${min} and ${max}`)),
    "isoMonth",
  );
}

/** An object that refuses keys it does not name (the refusal names them). */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape);
}

/** The input of a procedure that takes none: nothing, or an empty object (anything else is refused). */
export const noInput = () => z.strictObject({}).optional();

// ---------- issues as users read them (the server's error map and the admin UI's forms) ----------

/** A field-level problem shown next to the field. */
export interface FieldIssue {
  path: string;
  zh: string;
  en: string;
}

const TYPE_NAMES: Record<string, Message> = {
  string: { zh: "文本", en: "text" },
  number: { zh: "数字", en: "a number" },
  int: { zh: "整数", en: "a whole number" },
  boolean: { zh: "是或否", en: "true or false" },
  date: { zh: "日期时间", en: "a date and time" },
  array: { zh: "列表", en: "a list" },
  object: { zh: "对象", en: "an object" },
};

function issueMessage(issue: z.core.$ZodIssue): Message {
  const i = issue as z.core.$ZodIssue & {
    minimum?: number | bigint;
    maximum?: number | bigint;
    origin?: string;
    format?: string;
    expected?: string;
    keys?: string[];
  };
  const bound = (v: number | bigint | undefined) =>
    i.origin === "date" && typeof v === "number" ? new Date(v).toISOString().slice(0, 10) : String(v);
  switch (i.code) {
    case "too_small":
      if (i.origin === "string" && Number(i.minimum) === 1) return { zh: "不能为空", en: "is required" };
      if (i.origin === "string") return { zh: `至少${i.minimum}个字符`, en: `at least ${i.minimum} characters` };
      if (i.origin === "array") return { zh: `至少${i.minimum}项`, en: `at least ${i.minimum} items` };
      return { zh: `不能小于${bound(i.minimum)}`, en: `must be at least ${bound(i.minimum)}` };
    case "too_big":
      if (i.origin === "string") return { zh: `不能超过${i.maximum}个字符`, en: `at most ${i.maximum} characters` };
      if (i.origin === "array") return { zh: `最多${i.maximum}项`, en: `at most ${i.maximum} items` };
      return { zh: `不能大于${bound(i.maximum)}`, en: `must be at most ${bound(i.maximum)}` };
    case "invalid_format":
      return i.format === "uuid"
        ? { zh: "应为有效的编号（UUID）", en: "must be a valid id (UUID)" }
        : { zh: "格式不正确", en: `invalid ${i.format ?? "format"}` };
    case "invalid_type": {
      if (i.expected === "int") return { zh: "应为整数", en: "must be a whole number" };
      const t = i.expected ? TYPE_NAMES[i.expected] : undefined;
      return t
        ? { zh: `缺少或不是${t.zh}`, en: `missing or not ${t.en}` }
        : { zh: "缺少或类型不正确", en: "missing or of the wrong type" };
    }
    case "invalid_value":
      return { zh: "取值不在允许范围内", en: "not one of the allowed values" };
    case "unrecognized_keys": {
      const keys = (i.keys ?? []).map((k) => JSON.stringify(k)).join(", ");
      return { zh: `包含未知字段：${keys}`, en: `unknown field(s): ${keys}` };
    }
    default:
      // zod's own English text is never shown: it is not bilingual and may name internals.
      return { zh: "输入不正确", en: "invalid input" };
  }
}

/** Turns a zod error into bilingual field issues (an empty path is the input as a whole). */
export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const custom = (issue as { params?: { zh?: string; en?: string } }).params;
    const m =
      unpackMessage(issue.message) ??
      (custom?.zh && custom.en ? { zh: custom.zh, en: custom.en } : issueMessage(issue));
    return { path: issue.path.map(String).join("."), ...m };
  });
}
