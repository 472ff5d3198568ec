import type { Tx } from "@zongzhi/db/client";
import { caseParties, cases } from "@zongzhi/db/schema";
import { notFound } from "@zongzhi/domain";
import { rankMediators } from "@zongzhi/domain/mediator-ranking";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { mediatorSuggestion } from "../schemas/case-views.ts";
import { type FieldCipher, fieldContext } from "./personal-data.ts";

/** A mediator proposed for a case, with the reasons for its rank (schemas/case-views.ts). */
export type MediatorSuggestion = z.output<typeof mediatorSuggestion>;

/**
 * The mediators a case's unit may draw on (own and ancestors' pools), ranked by the domain's
 * `rankMediators` (specialty, grade, nearer pool, load; a party to the case goes last).
 */
export async function suggestMediators(tx: Tx, caseId: string, cipher: FieldCipher): Promise<MediatorSuggestion[]> {
  const [c] = await tx.db
    .select({ category_code: cases.categoryCode, scope_code: cases.scopeCode })
    .from(cases)
    .where(eq(cases.id, caseId));
  if (!c) throw notFound({ zh: "案件", en: "case" });
  // Conflict of interest: a mediator who is a party. Names are stored encrypted; a case has
  // few parties, so decrypt them here rather than keep a searchable name index.
  const parties = await tx.db
    .select({ name_enc: caseParties.nameEnc })
    .from(caseParties)
    .where(eq(caseParties.caseId, caseId));
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
  const ranked = rankMediators(
    { categoryCode: c.category_code, scopeCode: c.scope_code, partyNames },
    rows.map((m) => ({ ...m, scopeCode: m.scope_code, openCases: m.open_cases })),
  );
  return ranked.map((m) => ({
    id: m.id,
    name: m.name,
    grade: m.grade,
    poolName: m.pool_name ?? m.scope_code,
    specialties: m.specialties,
    openCases: m.openCases,
    conflict: m.conflict,
    score: m.score,
    reasons: m.reasons,
  }));
}
