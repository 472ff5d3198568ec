import type { DeadlineAmount } from "./deadlines.ts";
import type { Message } from "./errors.ts";

// The supervision ladder (督办): a clock that goes red opens a chase (催办) addressed to the
// owning unit; a chase left unanswered past its reply deadline is raised to a notice (通报),
// announced to the unit and its parent; a notice is the top rung. The deadline scan
// (services/deadlines.ts) applies this set-wise in SQL with the values given here.

/** The rungs of the ladder, lowest first. */
export const SUPERVISION_LEVELS = ["chase", "notice"] as const;
/** A rung of the ladder. */
export type SupervisionLevel = (typeof SUPERVISION_LEVELS)[number];

/** A supervision is open until the addressed unit answers it. */
export const SUPERVISION_STATUSES = ["open", "answered"] as const;
/** One supervision status. */
export type SupervisionStatus = (typeof SUPERVISION_STATUSES)[number];

/** Names of the rungs. */
export const SUPERVISION_LEVEL_NAMES: Record<SupervisionLevel, Message> = {
  chase: { zh: "催办", en: "Chase" },
  notice: { zh: "通报", en: "Notice" },
};

/** How long the addressed unit has to answer a rung: the next working day. */
export const SUPERVISION_REPLY: DeadlineAmount = { amount: 1, unit: "working_days" };

/** The rung a supervision opened by the scan (a clock gone red) starts on. */
export const FIRST_LEVEL: SupervisionLevel = "chase";

/** The rung above `level`, or null at the top. */
export function nextLevel(level: SupervisionLevel): SupervisionLevel | null {
  return SUPERVISION_LEVELS[SUPERVISION_LEVELS.indexOf(level) + 1] ?? null;
}

/** Each raise the scan makes: from a rung to the one above it (chase → notice). */
export const RAISES: readonly { from: SupervisionLevel; to: SupervisionLevel }[] = SUPERVISION_LEVELS.flatMap(
  (from) => {
    const to = nextLevel(from);
    return to ? [{ from, to }] : [];
  },
);

/** What an open supervision becomes at `now`: raised one rung once its reply deadline passed, else as it is. */
export function levelAt(s: { level: SupervisionLevel; dueAt: Date; answered: boolean }, now: Date): SupervisionLevel {
  if (s.answered || s.dueAt >= now) return s.level;
  return nextLevel(s.level) ?? s.level;
}

/** The instructions of a chase the scan opens for an overdue clock: the stage, then this. */
export const OVERDUE_INSTRUCTIONS = " 已超期，请于下一个工作日内办理并反馈";

/** The instructions of a chase the scan opens for an overdue clock of `stage`. */
export function overdueInstructions(stage: string): string {
  return stage + OVERDUE_INSTRUCTIONS;
}

/**
 * The notification titles of a rung: to the addressed unit and to its parent, each followed by
 * the case's code (and, when opened, its title).
 */
export const LEVEL_TITLES: Record<SupervisionLevel, { unit: string; parent: string }> = {
  chase: { unit: "【督办】超期未办：", parent: "下级超期督办：" },
  notice: { unit: "【通报】督办未回复：", parent: "【通报】下级督办未回复：" },
};
