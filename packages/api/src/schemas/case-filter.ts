import { CASE_STATES, CHANNELS, RISK_GRADES } from "@zongzhi/domain";
import { z } from "zod";
import { instant, isoDate, pattern, text } from "../input.ts";

/**
 * The filters of the case inbox (cases.list), written once: the procedure takes them as they
 * are, the case ledger's HTTP export (/exports/cases) takes the same fields from its query
 * string through {@link caseFilterQuery}, so that a ledger can be of exactly what the inbox shows.
 */
export const caseFilterFields = {
  status: z.array(z.enum(CASE_STATES)).max(CASE_STATES.length).optional(),
  categoryCode: text(40, { min: 0 }).optional(),
  channel: z.enum(CHANNELS).optional(),
  riskGrade: z.enum(RISK_GRADES).optional(),
  deadlineColour: z.enum(["blue", "yellow", "red"]).optional(),
  level: z.enum(["province", "city", "county", "township", "village"]).optional(),
  unitCode: pattern(/^\d{2,12}$/, "单位应为2–12位区划代码", "a unit is a 2–12 digit division code").optional(),
  q: text(60, { min: 0 }).optional(),
  registeredSince: instant().optional(),
  mine: z.enum(["registered", "mediating"]).optional(),
  ownedHere: z.boolean().optional(),
  awaitingSignFor: z.boolean().optional(),
  pendingSummons: z.boolean().optional(),
  sessionOn: isoDate().optional(),
};

const LISTS = ["status"] as const;
const FLAGS = ["ownedHere", "awaitingSignFor", "pendingSummons"] as const;

/**
 * A query string's values in the shapes of {@link caseFilterFields}: a list as comma-separated
 * values (`status=accepted,triaged`), a flag as 1 or 0. Anything else is left as it came, for
 * the schema to refuse with its message.
 */
export function caseFilterQuery(query: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...query };
  for (const k of LISTS) if (query[k] !== undefined) out[k] = query[k] === "" ? [] : query[k].split(",");
  for (const k of FLAGS) {
    const v = query[k];
    if (v === "1" || v === "true") out[k] = true;
    else if (v === "0" || v === "false") out[k] = false;
  }
  return out;
}

/** The filters the case ledger takes besides its unit and category (which every ledger takes). */
const { unitCode: _unit, categoryCode: _category, ...otherFilters } = caseFilterFields;
export const ledgerFilterFields = otherFilters;
