import type { Tx } from "@zongzhi/db/client";
import { notFound, readsOnlySummoned } from "@zongzhi/domain";

/** Refuses a liaison-only caller a case its departments were not summoned to (NOT_FOUND, no oracle). */
export async function assertLiaisonMayRead(tx: Tx, caseId: string): Promise<void> {
  if (!readsOnlySummoned(tx.ctx.roles)) return;
  const [row] = await tx.sql`select 1 from app.case_summons s
    join app.stationing_liaisons l on l.stationing_id = s.stationing_id and l.user_id = ${tx.ctx.userId}
    where s.case_id = ${caseId} limit 1`;
  if (!row) throw notFound({ zh: "案件", en: "case" });
}
