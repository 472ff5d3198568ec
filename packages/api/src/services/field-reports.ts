import type { Tx } from "@zongzhi/db/client";
import { cases } from "@zongzhi/db/schema";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { myReport } from "../schemas/case-views.ts";
import { notifyUnit } from "./notifications.ts";

/** One of the caller's field reports as the phone page shows it (schemas/case-views.ts). */
export type MyReport = z.output<typeof myReport>;

/** The cases the caller reported from the field (grid patrol), newest first. */
export async function listMyReports(tx: Tx): Promise<MyReport[]> {
  if (!tx.ctx.userId) return [];
  return tx.sql<MyReport[]>`select c.id, c.code, c.title, c.status, c.registered_at as "registeredAt",
      (select e.payload ->> 'outcome' from app.case_events e where e.case_id = c.id and e.kind = 'case.resolve'
        order by e.seq desc limit 1) as outcome,
      (select count(*)::int from app.case_events e where e.case_id = c.id and e.kind = 'case.reopen') as reworks,
      c.status = 'awaiting_follow_up' and not exists (select 1 from app.follow_ups f
        where f.case_id = c.id and f.by_user = ${tx.ctx.userId}
          and f.at >= (select max(e.at) from app.case_events e where e.case_id = c.id and e.kind = 'case.resolve'))
        as "awaitingConfirmation"
    from app.cases c
    where c.registered_by = ${tx.ctx.userId} and c.channel = 'grid_patrol'
    order by c.registered_at desc limit 50`;
}

/**
 * Tells the reporting grid worker that the result of its report awaits its confirmation on
 * site (the case moved to follow-up): a personal notification in the reporter's own unit.
 */
export async function notifyReporter(tx: Tx, caseId: string): Promise<void> {
  const [c] = await tx.db
    .select({
      scope_code: cases.scopeCode,
      registered_by: cases.registeredBy,
      code: cases.code,
      title: cases.title,
      channel: cases.channel,
    })
    .from(cases)
    .where(eq(cases.id, caseId));
  if (!c?.registered_by || c.channel !== "grid_patrol") return;
  await notifyUnit(tx, {
    scopeCode: c.scope_code,
    userId: c.registered_by,
    kind: "report.result",
    caseId,
    title: `处理结果待现场确认：${c.code} ${c.title}`.slice(0, 100),
  });
}
