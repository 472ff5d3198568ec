import type { Tx } from "@zongzhi/db/client";
import { notFound, readsOnlySummoned } from "@zongzhi/domain";
import { type CaseRef, ofCase } from "./case-events.ts";

/** Refuses a liaison-only caller a case its departments were not summoned to (NOT_FOUND, no oracle). */
export async function assertLiaisonMayRead(tx: Tx, c: CaseRef): Promise<void> {
  if (!readsOnlySummoned(tx.ctx.roles)) return;
  const [row] = await tx.sql`select 1 from app.case_summons s where ${ofCase(tx, c)}
    and exists (select from app.stationing_liaisons l where l.stationing_id = s.stationing_id
      and l.user_id = ${tx.ctx.userId}) limit 1`;
  if (!row) throw notFound({ zh: "案件", en: "case" });
}
