import { z } from "zod";
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

// ---------- answers (audit.list, audit.search) ----------
// The service's return types are these schemas' types (services/audit.ts).

/** One line of the security audit as auditors read it. */
export const auditLine = z.object({
  id: z.number(),
  at: z.date(),
  scopeCode: z.string(),
  actorId: z.string().nullable(),
  actorUsername: z.string().nullable(),
  actorName: z.string().nullable(),
  kind: z.string(),
  subjectId: z.string().nullable(),
  ip: z.string().nullable(),
  detail: z.unknown(),
});

/** One line of the operation or sign-in log: an audit line with its unit's name and request id. */
export const logLine = auditLine.extend({ unitName: z.string().nullable(), requestId: z.string().nullable() });

/** audit.search: a page of log lines, newest first, and the id to continue before (null: the last page). */
export const logPage = z.object({ items: z.array(logLine), next: z.number().nullable() });
