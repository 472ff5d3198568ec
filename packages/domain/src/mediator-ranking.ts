// Which mediator to propose for a case (分诊 suggestions): a pure ranking of the mediators the
// case's unit may draw on (its own pool and its ancestors'). The service reads the candidates
// and the case; the rule is here.

/** Why a mediator ranks where it does. */
export const RANK_REASONS = ["specialty", "own_pool", "load", "conflict_of_interest"] as const;
/** One reason of {@link RANK_REASONS}. */
export type RankReason = (typeof RANK_REASONS)[number];

/** A mediator as the ranking reads it. */
export interface MediatorCandidate {
  name: string;
  grade: string;
  /** The unit whose pool the mediator belongs to. */
  scopeCode: string;
  specialties: readonly string[];
  /** Cases the mediator is handling now. */
  openCases: number;
}

/** The case as the ranking reads it. */
export interface RankedCase {
  categoryCode: string;
  scopeCode: string;
  /** The parties' names (a mediator who is a party has a conflict of interest). */
  partyNames: ReadonlySet<string>;
}

/** Points of a grade: chief 3, senior 2, standard 1. */
export const GRADE_POINTS: Readonly<Record<string, number>> = { chief: 3, senior: 2, standard: 1 };
/** Points of a specialty matching the case's category. */
export const SPECIALTY_POINTS = 10;
/** Points of the case's own unit's pool (nearer than an ancestor's). */
export const OWN_POOL_POINTS = 2;
/** The score of a mediator with a conflict of interest: below any other. */
export const CONFLICT_SCORE = -100;

/** One mediator's score and the reasons for it. */
export interface MediatorScore {
  score: number;
  conflict: boolean;
  reasons: RankReason[];
}

/**
 * Scores one mediator for a case: grade, +10 for a specialty matching the category, +2 for the
 * case's own pool, minus one per open case; a mediator who is a party (by name) has a conflict
 * of interest and scores below everyone.
 */
export function scoreMediator(c: RankedCase, m: MediatorCandidate): MediatorScore {
  const reasons: RankReason[] = [];
  let score = GRADE_POINTS[m.grade] ?? 0;
  if (m.specialties.includes(c.categoryCode)) {
    score += SPECIALTY_POINTS;
    reasons.push("specialty");
  }
  if (m.scopeCode === c.scopeCode) {
    score += OWN_POOL_POINTS;
    reasons.push("own_pool");
  }
  score -= m.openCases;
  if (m.openCases > 0) reasons.push("load");
  const conflict = c.partyNames.has(m.name.trim());
  if (conflict) reasons.push("conflict_of_interest");
  return { score: conflict ? CONFLICT_SCORE : score, conflict, reasons };
}

/** The candidates with their scores, best first; ties by name (Chinese collation). */
export function rankMediators<M extends MediatorCandidate>(
  c: RankedCase,
  candidates: readonly M[],
): (M & MediatorScore)[] {
  return candidates
    .map((m) => ({ ...m, ...scoreMediator(c, m) }))
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, "zh"));
}
