// Inputs that several procedures share, and the admin UI's forms with them. Only zod: the browser
// bundles this module.

import { z } from "zod";
import { pattern } from "../input.ts";

/** A division code of any tier (2, 4, 6, 9 or 12 digits, not starting with 0: domain `isDivisionCode`). */
export const divisionCode = pattern(
  /^[1-9]\d(?:\d{2}(?:\d{2}(?:\d{3}(?:\d{3})?)?)?)?$/,
  "区划代码应为2、4、6、9或12位数字",
  "a division code has 2, 4, 6, 9 or 12 digits",
  { max: 12 },
);

/**
 * A span of time, `startsAt`–`endsAt` (a booking, a session) or `from`–`to` (a listing): the end
 * may not precede the start (PostgreSQL refuses such a range).
 */
export function timeSpan<T extends z.ZodType<{ startsAt: Date; endsAt: Date } | { from: Date; to: Date }>>(schema: T) {
  const params = { zh: "结束时间须晚于开始时间", en: "the end must be after the start" };
  return schema.superRefine((v, ctx) => {
    const bad = "startsAt" in v ? v.endsAt <= v.startsAt : v.to < v.from;
    if (bad) ctx.addIssue({ code: "custom", path: ["startsAt" in v ? "endsAt" : "to"], params });
  });
}

// ---------- answers several procedures share ----------

/** What a versioned write answers: the row's new version (the caller's next write sends it). */
export const versioned = z.object({ version: z.number().int() });
/** What a create answers: the new row's id. */
export const created = z.object({ id: z.string() });
/** A write that answers nothing. */
export const nothing = z.void();

export type Versioned = z.output<typeof versioned>;
export type Created = z.output<typeof created>;
