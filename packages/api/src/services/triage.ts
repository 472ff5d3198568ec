import type { Tx } from "@zongzhi/db/client";
import { notFound } from "@zongzhi/domain";
import { type FieldCipher, fieldContext } from "./personal-data.ts";

/** A mediator proposed for a case, with the reasons for its rank. */
export interface MediatorSuggestion {
  id: string;
  name: string;
  grade: string;
  poolName: string;
  specialties: string[];
  openCases: number;
  conflict: boolean;
  score: number;
  reasons: string[];
}

const GRADE_SCORE: Record<string, number> = { chief: 3, senior: 2, standard: 1 };

/**
 * Ranks the mediators a case's unit may draw on (own and ancestors' pools): specialty match
 * (+10), grade (chief 3, senior 2, standard 1), nearer pool (+2 own), minus current load (open
 * cases); a mediator who is a party to the case (by name) has a conflict of interest and goes last.
 */
export async function suggestMediators(tx: Tx, caseId: string, cipher: FieldCipher): Promise<MediatorSuggestion[]> {
  const [c] = await tx.sql<
    { category_code: string; scope_code: string }[]
  >`select category_code, scope_code from app.cases
    where id = ${caseId}`;
  if (!c) throw notFound({ zh: "案件", en: "case" });
  // Conflict of interest: a mediator who is a party. Names are stored encrypted; a case has
  // few parties, so decrypt them here rather than keep a searchable name index.
  const parties = await tx.sql<{ name_enc: Buffer }[]>`select name_enc from app.case_parties where case_id = ${caseId}`;
  const partyNames = new Set(
    parties.map((p) => cipher.decrypt(p.name_enc, fieldContext("case_parties", "name", c.scope_code)).trim()),
  );
  const rows = await tx.sql<
    {
      id: string;
      name: string;
      grade: string;
      scope_code: string;
      pool_name: string | null;
      specialties: string[];
      open_cases: number;
    }[]
  >`select m.id, m.name, m.grade, m.scope_code, coalesce((select t.name from app.tenants t where t.code = m.scope_code),
        (select d.name from ref.divisions d where d.code = m.scope_code)) as pool_name,
      m.specialties,
      (select count(*)::int from app.cases oc where oc.mediator_id = m.id
        and oc.status in ('triaged', 'in_mediation', 'on_hold', 'reopened')) as open_cases
    from app.mediators m
    where m.active and (m.scope_code = ${c.scope_code} or length(m.scope_code) < ${c.scope_code.length})
      and starts_with(${c.scope_code}, m.scope_code)`;
  return rows
    .map((m) => {
      const reasons: string[] = [];
      let score = GRADE_SCORE[m.grade] ?? 0;
      if (m.specialties.includes(c.category_code)) {
        score += 10;
        reasons.push("specialty");
      }
      if (m.scope_code === c.scope_code) {
        score += 2;
        reasons.push("own_pool");
      }
      score -= m.open_cases;
      if (m.open_cases > 0) reasons.push("load");
      const conflict = partyNames.has(m.name.trim());
      if (conflict) reasons.push("conflict_of_interest");
      return {
        id: m.id,
        name: m.name,
        grade: m.grade,
        poolName: m.pool_name ?? m.scope_code,
        specialties: m.specialties,
        openCases: m.open_cases,
        conflict,
        score: conflict ? -100 : score,
        reasons,
      };
    })
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, "zh"));
}
