import { addDays, chinaCalendar, type IsoDate, type WorkCalendar } from "./calendar.ts";

/** How a deadline amount is counted. */
export type DeadlineUnit = "hours" | "working_days" | "calendar_days";

/** One amount of time in a deadline policy. */
export interface DeadlineAmount {
  amount: number;
  unit: DeadlineUnit;
}

/** China Standard Time is UTC+8 all year (no daylight saving). */
const CST_MS = 8 * 3_600_000;

/** The calendar date in China of an instant. */
export function chinaDate(at: Date): IsoDate {
  return new Date(at.getTime() + CST_MS).toISOString().slice(0, 10);
}

function endOfChinaDay(date: IsoDate): Date {
  // 23:59:59.999 China time of `date`.
  return new Date(Date.parse(`${date}T00:00:00Z`) - CST_MS + 86_400_000 - 1);
}

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

/** Deadline warning colours (红黄蓝三色预警): by time left, not by risk. */
export type WarningColour = "blue" | "yellow" | "red";

/** Default share of the allowed time below which a deadline turns yellow. */
export const YELLOW_SHARE = 1 / 3;

/**
 * The colour of an open deadline at `now`: red when overdue, yellow when at most
 * `yellowShare` of the allowed time is left, blue otherwise.
 */
export function warningColour(start: Date, due: Date, now: Date, yellowShare = YELLOW_SHARE): WarningColour {
  const total = due.getTime() - start.getTime();
  const left = due.getTime() - now.getTime();
  if (left < 0) return "red";
  if (total <= 0 || left <= total * yellowShare) return "yellow";
  return "blue";
}

/** Stages a deadline policy can time. */
export const DEADLINE_STAGES = [
  "sign_for",
  "first_contact",
  "resolution",
  "summons_acknowledgement",
  "objection_window",
  "follow_up",
] as const;
/** One stage. */
export type DeadlineStage = (typeof DEADLINE_STAGES)[number];

/** One rule of a policy, as stored per unit (inherited down the tree, overridable). */
export interface PolicyRule extends DeadlineAmount {
  scopeCode: string;
  categoryCode: string | null;
  stage: DeadlineStage;
  version: number;
}

/**
 * The rule in force for a unit, category and stage: the nearest unit on the path from the
 * unit up to the root that has one (own unit first); within a unit, a category-specific rule
 * beats the general one. Returns null when no unit on the path sets one.
 */
export function resolvePolicy(
  rules: readonly PolicyRule[],
  unitCode: string,
  categoryCode: string,
  stage: DeadlineStage,
): PolicyRule | null {
  const candidates = rules.filter(
    (r) =>
      r.stage === stage &&
      unitCode.startsWith(r.scopeCode) &&
      (r.categoryCode === null || r.categoryCode === categoryCode),
  );
  candidates.sort(
    (a, b) =>
      b.scopeCode.length - a.scopeCode.length ||
      Number(b.categoryCode !== null) - Number(a.categoryCode !== null) ||
      b.version - a.version,
  );
  return candidates[0] ?? null;
}

/** Defaults from the seeds and the law, used where no unit sets its own. */
export const DEFAULT_POLICY: {
  categoryCode: string | null;
  stage: DeadlineStage;
  amount: number;
  unit: DeadlineUnit;
  note: string;
}[] = [
  // Yumen's double "123" for petitions (simple): accept in 1, meet in 2, resolve in 3 working days.
  { categoryCode: "petition", stage: "sign_for", amount: 1, unit: "working_days", note: "信访事项：1天受理" },
  { categoryCode: "petition", stage: "first_contact", amount: 2, unit: "working_days", note: "2天见面" },
  { categoryCode: "petition", stage: "resolution", amount: 3, unit: "working_days", note: "3天调处" },
  // People's mediation is generally concluded within one month.
  { categoryCode: null, stage: "sign_for", amount: 1, unit: "working_days", note: "签收：1个工作日" },
  { categoryCode: null, stage: "first_contact", amount: 3, unit: "working_days", note: "首次联系：3个工作日" },
  { categoryCode: null, stage: "resolution", amount: 30, unit: "calendar_days", note: "调解一般在30日内办结" },
  { categoryCode: null, stage: "summons_acknowledgement", amount: 24, unit: "hours", note: "被召集部门24小时内报到" },
  { categoryCode: null, stage: "objection_window", amount: 8, unit: "hours", note: "8小时异议期" },
  { categoryCode: null, stage: "follow_up", amount: 5, unit: "working_days", note: "化解后5个工作日内回访" },
];

/** Complex petitions: 1, 2, 3 weeks (the second "123"). */
export const COMPLEX_PETITION = { sign_for: 7, first_contact: 14, resolution: 21 } as const;
