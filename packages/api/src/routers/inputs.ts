import { ROLES } from "@zongzhi/domain";
import { z } from "zod";
import { pattern, say, strict, text } from "../input.ts";

/** A division code of any tier (2, 4, 6, 9 or 12 digits, not starting with 0: domain `isDivisionCode`). */
export const divisionCode = pattern(
  /^[1-9]\d(?:\d{2}(?:\d{2}(?:\d{3}(?:\d{3})?)?)?)?$/,
  "区划代码应为2、4、6、9或12位数字",
  "a division code has 2, 4, 6, 9 or 12 digits",
  { max: 12 },
);

/** Fields of a user that administrators set (the users page validates with it too). */
export const userInput = strict({
  username: pattern(
    /^[a-z0-9][a-z0-9._-]{2,47}$/,
    "登录名为3–48位小写字母、数字或 . _ -，以字母或数字开头",
    "3–48 lower-case letters, digits or . _ -, starting with a letter or digit",
    { normalise: true },
  ),
  displayName: text(60),
  roles: z.array(z.enum(ROLES)).min(1, say("请至少选择一个角色", "choose at least one role")).max(ROLES.length),
});

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
