import { pattern, text } from "../input.ts";

/**
 * The filters of the operation log and the sign-in log (操作日志 / 登录日志) as the log page sends
 * them: one definition for `audit.search` (a page) and `/exports/logs/:log` (the whole filtered log
 * as Excel or CSV), so that the page and its export refuse and accept the same values. The time
 * bounds differ (an instant for a page, a China-time day for an export) and stay with each.
 */
export const logFilterFields = {
  actor: text(50, { min: 0 }).optional(),
  unitCode: pattern(/^\d{2,12}$/, "单位应为2–12位区划代码", "a unit is a 2–12 digit division code").optional(),
  kind: pattern(
    /^[a-z_.]{1,80}$/,
    "操作类型格式不正确",
    "an action is a logged kind such as op.cases.register",
  ).optional(),
  object: text(60, { min: 0 }).optional(),
};
