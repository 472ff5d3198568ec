import type { Tx } from "@zongzhi/db/client";
import { notifications } from "@zongzhi/db/schema";
import { countyOf } from "@zongzhi/domain/division";
import type { z } from "zod";
import type { inboxItem, inboxPage } from "../schemas/escalation.ts";

/** Addresses a notification to a unit's inbox (every user of the unit sees it). */
export async function notifyUnit(
  tx: Tx,
  input: { scopeCode: string; kind: string; caseId?: string | null; title: string; userId?: string | null },
): Promise<void> {
  await tx.db.insert(notifications).values({
    countyCode: countyOf(input.scopeCode),
    scopeCode: input.scopeCode,
    userId: input.userId ?? null,
    kind: input.kind,
    caseId: input.caseId ?? null,
    title: input.title,
    createdBy: tx.ctx.userId,
  });
}

/** One inbox item (schemas/escalation.ts). */
export type InboxItem = z.output<typeof inboxItem>;

/** The caller's inbox (own unit), newest first, with the unread count. */
export async function listInbox(
  tx: Tx,
  input: { limit: number; before?: number | undefined; unread?: boolean | undefined; kind?: string | undefined },
): Promise<z.output<typeof inboxPage>> {
  const items = await tx.sql<
    InboxItem[]
  >`select n.id::int as id, n.kind, n.case_id as "caseId", c.code as "caseCode", n.title,
      n.created_at as "createdAt", exists (select 1 from app.notification_reads r where r.notification_id = n.id) as read
    from app.notifications n left join app.cases c on c.id = n.case_id
    where ${input.before ? tx.sql`n.id < ${input.before}` : tx.sql`true`}
      ${input.kind ? tx.sql`and n.kind = ${input.kind}` : tx.sql``}
      ${input.unread ? tx.sql`and not exists (select 1 from app.notification_reads r where r.notification_id = n.id)` : tx.sql``}
    order by n.id desc limit ${input.limit}`;
  const counts = await tx.sql<{ kind: string; n: number }[]>`select n.kind, count(*)::int as n from app.notifications n
    where not exists (select 1 from app.notification_reads r where r.notification_id = n.id) group by n.kind`;
  const unreadByKind = Object.fromEntries(counts.map((c) => [c.kind, c.n]));
  return { items, unread: counts.reduce((sum, c) => sum + c.n, 0), unreadByKind };
}

/** Marks inbox items read for the caller (all when `ids` is empty). */
export async function markRead(tx: Tx, ids: number[]): Promise<void> {
  // An inbox is one unit's: its notifications and their reads are in the unit's county (named,
  // so that Citus routes the statement to that county's shard).
  const county = countyOf(tx.ctx.scope);
  await tx.sql`insert into app.notification_reads (notification_id, county_code, user_id, scope_code)
    select n.id, n.county_code, ${tx.ctx.userId}, ${tx.ctx.scope} from app.notifications n
    where n.county_code = ${county} and ${ids.length ? tx.sql`n.id = any(${ids}::bigint[])` : tx.sql`true`}
    on conflict do nothing`;
}
