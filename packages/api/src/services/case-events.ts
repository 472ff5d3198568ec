import type { Tx } from "@zongzhi/db/client";
import { caseEvents } from "@zongzhi/db/schema";

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
  await tx.db
    .insert(caseEvents)
    .values({ caseId, actorId: tx.ctx.userId, actorScope: tx.ctx.scope, kind, payload: body });
}
