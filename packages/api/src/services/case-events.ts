import type { Tx } from "@zongzhi/db/client";

/** Appends an event to a case's hash-chained timeline (the database computes seq and hash). */
export async function appendEvent(
  tx: Tx,
  caseId: string,
  kind: string,
  payload: Record<string, unknown> = {},
): Promise<void> {
  // A system actor's event names it (there is no user behind it).
  // An integrator's key is named too (its events carry no user either).
  const body = tx.ctx.system
    ? { ...payload, system: tx.ctx.system }
    : tx.ctx.apiKeyId
      ? { ...payload, apiKey: tx.ctx.apiKeyId }
      : payload;
  await tx.sql`insert into app.case_events (case_id, actor_id, actor_scope, kind, payload)
    values (${caseId}, ${tx.ctx.userId}, ${tx.ctx.scope}, ${kind}, ${tx.sql.json(body as never)})`;
}
