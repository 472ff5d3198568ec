import type { CaseState, Channel, RiskGrade } from "@zongzhi/domain";

/** Filters of the case inbox. */
export interface CaseFilter {
  status?: CaseState[] | undefined;
  categoryCode?: string | undefined;
  channel?: Channel | undefined;
  riskGrade?: RiskGrade | undefined;
  /** Only cases whose worst running clock has this colour (as of the last deadline scan). */
  deadlineColour?: "blue" | "yellow" | "red" | undefined;
  /** Only cases registered at units of this tier (division-code length). */
  level?: "province" | "city" | "county" | "township" | "village" | undefined;
  /** Only cases registered at this unit or below it. */
  unitCode?: string | undefined;
  q?: string | undefined;
  /** Only cases registered at or after this instant (today's intake). */
  registeredSince?: Date | undefined;
  /** Only cases the caller registered, or whose mediator is the caller's mediator record. */
  mine?: "registered" | "mediating" | undefined;
  /** Only cases the caller's unit owns now (what it must act on). */
  ownedHere?: boolean | undefined;
  /** Only cases sent to the caller's unit and not yet signed for (待签收). */
  awaitingSignFor?: boolean | undefined;
  /** Only cases with a summons no department has answered yet (召集待报到). */
  pendingSummons?: boolean | undefined;
  /** Only cases with a mediation session on this day (China time, YYYY-MM-DD). */
  sessionOn?: string | undefined;
  before?: string | undefined;
  limit: number;
}
