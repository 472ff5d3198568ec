import { type CaseAction, MAX_HOLD_DAYS, TRANSITIONS, type TransitionRule } from "./case-workflow.ts";
import { daysBetween, type IsoDate } from "./dates.ts";
import type { DeadlineStage } from "./deadlines.ts";
import type { Message } from "./errors.ts";

/** One thing a transition needs (TRANSITIONS[action].needs). */
export type TransitionNeed = TransitionRule["needs"][number];

/** The data a transition carries, by the names the API takes. */
export interface TransitionFields {
  reason?: unknown;
  route?: unknown;
  outcome?: unknown;
  referral?: unknown;
  duplicateOf?: unknown;
  holdUntil?: unknown;
}

/**
 * Where each need is carried: a field of the transition's data, or (follow_up) the case's own
 * record, which the service checks against the database.
 */
export const NEED_FIELDS: Record<TransitionNeed, keyof TransitionFields | null> = {
  reason: "reason",
  route: "route",
  outcome: "outcome",
  referral: "referral",
  duplicate_of: "duplicateOf",
  hold_until: "holdUntil",
  follow_up: null,
};

const NEED_MESSAGES: Record<keyof TransitionFields, Message> = {
  reason: { zh: "请填写原因", en: "A reason is required" },
  route: { zh: "请选择分诊去向", en: "Choose where the case goes" },
  outcome: { zh: "请填写化解结果", en: "Describe the outcome" },
  referral: { zh: "请填写转办去向", en: "Where is it referred?" },
  duplicateOf: { zh: "请选择原案件", en: "Which case does it duplicate?" },
  holdUntil: { zh: "请填写预计恢复日期", en: "Until when?" },
};

/** Where one action words a need its own way. */
const ACTION_NEED_MESSAGES: Partial<Record<CaseAction, Partial<Record<keyof TransitionFields, Message>>>> = {
  hold: { reason: { zh: "请填写中止原因", en: "A reason is required" } },
  record_referral_result: { outcome: { zh: "请填写转办结果", en: "Record the result" } },
};

/** A field a transition lacks, with what to tell the user. */
export interface MissingField extends Message {
  path: keyof TransitionFields;
}

/**
 * The fields `action` needs (by TRANSITIONS) that `data` lacks, in the table's order: the one
 * generic check of a transition's data (empty text counts as missing).
 */
export function missingFields(action: CaseAction, data: TransitionFields): MissingField[] {
  const missing: MissingField[] = [];
  for (const need of TRANSITIONS[action].needs) {
    const path = NEED_FIELDS[need];
    if (path === null) continue;
    const value = data[path];
    if (value === undefined || value === null || value === "") {
      missing.push({ path, ...(ACTION_NEED_MESSAGES[action]?.[path] ?? NEED_MESSAGES[path]) });
    }
  }
  return missing;
}

/** True when a hold until `until` (中止至) is within the limit from `today`: not past, at most MAX_HOLD_DAYS. */
export function holdWithinLimit(until: IsoDate, today: IsoDate): boolean {
  const days = daysBetween(today, until);
  return days >= 0 && days <= MAX_HOLD_DAYS;
}

/** What a transition does to the case's clocks (case_deadlines). */
export type ClockEffect =
  | { kind: "none" }
  /** Completes the running clocks of these stages; an empty list completes every running clock. */
  | { kind: "complete"; stages: readonly DeadlineStage[] }
  /** Starts a clock of this stage for the owner. */
  | { kind: "start"; stage: "resolution" | "follow_up" }
  | { kind: "pause" }
  | { kind: "resume" };

/** The clocks each workflow action starts, stops, pauses or resumes. */
export const CLOCK_EFFECTS: Record<CaseAction, ClockEffect> = {
  accept: { kind: "complete", stages: ["first_contact"] },
  return: { kind: "none" },
  resubmit: { kind: "none" },
  triage: { kind: "none" },
  start_mediation: { kind: "none" },
  resolve: { kind: "complete", stages: ["resolution"] },
  fail: { kind: "none" },
  refer: { kind: "complete", stages: [] },
  record_referral_result: { kind: "start", stage: "follow_up" },
  await_follow_up: { kind: "start", stage: "follow_up" },
  close: { kind: "complete", stages: [] },
  reopen: { kind: "start", stage: "resolution" },
  archive: { kind: "complete", stages: [] },
  hold: { kind: "pause" },
  resume: { kind: "resume" },
  cancel: { kind: "complete", stages: [] },
  mark_duplicate: { kind: "complete", stages: [] },
};
