import type { CaseState } from "@zongzhi/domain/case-workflow";

/** The steps of a case's life shown in the step bar (登记 → 受理 → 分诊 → 调解 → 化解 → 回访 → 结案 → 归档). */
export const CASE_STEPS = [
  "register",
  "accept",
  "triage",
  "mediate",
  "resolve",
  "follow_up",
  "close",
  "archive",
] as const;
/** One step of the bar. */
export type CaseStep = (typeof CASE_STEPS)[number];

/** Where a case stands on the bar: the step it is at, and how (on hold, returned, referred, stopped). */
export interface StepPosition {
  /** Index into {@link CASE_STEPS} of the current step. */
  current: number;
  /** Everything before `current` is done; `done` also marks the current one done (closed, archived). */
  done: boolean;
  /** Something about the current step beyond "in progress". */
  note: "returned" | "on_hold" | "not_resolved" | "referred" | "reopened" | "cancelled" | "duplicate" | null;
}

const AT: Record<CaseState, { step: CaseStep; done?: boolean; note?: StepPosition["note"] }> = {
  registered: { step: "register" },
  returned: { step: "register", note: "returned" },
  accepted: { step: "accept", done: true },
  triaged: { step: "triage", done: true },
  in_mediation: { step: "mediate" },
  on_hold: { step: "mediate", note: "on_hold" },
  not_resolved: { step: "resolve", note: "not_resolved" },
  referred: { step: "resolve", note: "referred" },
  resolved: { step: "resolve", done: true },
  awaiting_follow_up: { step: "follow_up" },
  reopened: { step: "mediate", note: "reopened" },
  closed: { step: "close", done: true },
  archived: { step: "archive", done: true },
  cancelled: { step: "register", note: "cancelled" },
  duplicate: { step: "register", note: "duplicate" },
};

/**
 * The step bar's position for a case in `status`; a case on hold stands where it was put on hold
 * (`heldFrom`), and a cancelled or duplicate case where it was stopped (`stoppedAfter`, the last
 * state it had before, when known).
 */
export function stepOf(status: CaseState, heldFrom?: CaseState | null, stoppedAfter?: CaseState | null): StepPosition {
  const at = AT[status];
  const from =
    status === "on_hold" && heldFrom
      ? AT[heldFrom]
      : (status === "cancelled" || status === "duplicate") && stoppedAfter
        ? AT[stoppedAfter]
        : at;
  const stopped = status === "cancelled" || status === "duplicate" || status === "on_hold";
  return {
    current: CASE_STEPS.indexOf(from.step),
    done: stopped ? false : (at.done ?? false),
    note: at.note ?? null,
  };
}
