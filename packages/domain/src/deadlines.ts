import type { Message } from "./errors.ts";
/** How a deadline amount is counted. */
export const DEADLINE_UNITS = ["hours", "working_days", "calendar_days"] as const;
/** One way of counting. */
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

/** One amount of time in a deadline policy. */
export interface DeadlineAmount {
  amount: number;
  unit: DeadlineUnit;
}

/** Deadline warning colours (红黄蓝三色预警): by time left, not by risk. */
export const WARNING_COLOURS = ["red", "yellow", "blue"] as const;
/** One warning colour. */
export type WarningColour = (typeof WARNING_COLOURS)[number];
/** Chinese and English names of the warning colours (labelled 预警, never confused with a risk grade). */
export const WARNING_COLOUR_NAMES: Record<WarningColour, Message> = {
  red: { zh: "红色预警", en: "Red warning" },
  yellow: { zh: "黄色预警", en: "Yellow warning" },
  blue: { zh: "蓝色预警", en: "Blue (on track)" },
};

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

/** A deadline rule as stored (`app.deadline_policies`), as the services read it. */
export type StoredRule = PolicyRule & { id: string; yellowShare: number };

/** What a clock is started with: the rule in force (its id and version) or the default. */
export interface EffectiveRule {
  id: string | null;
  amount: number;
  unit: DeadlineUnit;
  yellowShare: number;
  version: number;
  scopeCode: string | null;
}

/**
 * The rule in force among `rules` (those the unit may inherit from): the unit's own or an
 * inherited one, else the default (complex petitions: Yumen's second "123").
 */
export function ruleInForce(
  rules: readonly StoredRule[],
  input: { unitCode: string; categoryCode: string; stage: DeadlineStage; complex?: boolean | undefined },
): EffectiveRule {
  const rule = resolvePolicy(rules, input.unitCode, input.categoryCode, input.stage);
  if (rule) {
    const r = rule as StoredRule;
    return {
      id: r.id,
      amount: r.amount,
      unit: r.unit,
      yellowShare: r.yellowShare,
      version: r.version,
      scopeCode: r.scopeCode,
    };
  }
  // Yumen's second "123": complex petitions take 1, 2 and 3 weeks.
  const weeks = COMPLEX_PETITION[input.stage as keyof typeof COMPLEX_PETITION];
  if (input.complex && input.categoryCode === "petition" && weeks) {
    return { id: null, amount: weeks, unit: "calendar_days", yellowShare: YELLOW_SHARE, version: 0, scopeCode: null };
  }
  const d =
    DEFAULT_POLICY.find((p) => p.stage === input.stage && p.categoryCode === input.categoryCode) ??
    DEFAULT_POLICY.find((p) => p.stage === input.stage && p.categoryCode === null)!;
  return { id: null, amount: d.amount, unit: d.unit, yellowShare: YELLOW_SHARE, version: 0, scopeCode: null };
}
